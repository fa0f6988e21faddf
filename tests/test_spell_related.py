"""Issue 14: a finding that spans two files points at both. When a factory or a block of another
module of the project builds the layer, the finding names the call in the checked file and, as a
related location, the constructor call in the other file."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from layerlint import Overrides, check_paths
from layerlint.diagnostics import Diagnostic, Related, Severity, Span, Text
from layerlint.static import notebook

MODEL = """
    import torch
    from torch import nn

    from .norms import make_norm


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Linear(4, 6)
            self.shared = make_norm(6)
            self.mid = nn.Linear(6, 7)

        def forward(self, x):
            x = self.stem(x)
            h = self.shared(x)
            h = self.mid(h)
            return self.shared(h)
"""
NORMS = """
    from torch import nn


    def make_norm(width):
        return nn.BatchNorm1d(width)
"""


def package(root: Path, **modules: str) -> Path:
    folder = root / "pkg"
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    for name, text in modules.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


def test_spell_factory_in_another_module_points_at_both_files(tmp_path):
    folder = package(tmp_path, model=MODEL, norms=NORMS)
    (finding,) = check_paths([str(folder)], Overrides(select=("ALL",)))
    assert finding.code == "LL001" and Path(finding.span.path).name == "model.py"
    places = {(Path(r.span.path).name, r.span.line, r.span.column): r.message.render() for r in finding.related}
    assert places[("norms.py", 5, 12)] == "`self.shared` is built here, by code of another module"
    assert places[("model.py", 11, 23)] == "`self.shared` is created here"


def test_spell_related_place_in_another_file_reaches_json_and_text(tmp_path, capsys):
    from layerlint.cli import main

    folder = package(tmp_path, model=MODEL, norms=NORMS)
    assert main(["check", str(folder), "--select", "ALL", "--format", "json"]) == 1
    (record,) = json.loads(capsys.readouterr().out)
    assert any(Path(r["location"]["path"]).name == "norms.py" for r in record["related"])
    assert main(["check", str(folder), "--select", "ALL"]) == 1
    assert "norms.py:5:12: `self.shared` is built here, by code of another module" in capsys.readouterr().out


def test_spell_same_file_factory_has_one_creation_place(tmp_path):
    """A factory in the checked file: the usual single "created here", nothing in another file."""
    factory = textwrap.dedent(NORMS).replace("from torch import nn\n", "")
    inline = textwrap.dedent(MODEL).replace("from .norms import make_norm\n", factory)
    folder = package(tmp_path, model=inline)
    (finding,) = check_paths([str(folder)], Overrides(select=("ALL",)))
    assert {Path(r.span.path).name for r in finding.related} == {"model.py"}
    assert sum("created here" in r.message.render() for r in finding.related) == 1


def test_spell_notebook_keeps_another_files_related_place():
    """A notebook's lines are renumbered per cell; a related place in another file is not the
    notebook's and keeps its own line."""
    book = notebook.Notebook(document={}, text="x = 1\ny = 2\n", origin=[(1, 1), (2, 1)])
    here = Related(Span("nb.ipynb", 2, 1), Text("here"))
    there = Related(Span("norms.py", 2, 5), Text("there"))
    finding = Diagnostic(code="LL001", name="n", severity=Severity.ERROR, span=Span("nb.ipynb", 2, 1),
                         message=Text("m"), related=(here, there))
    (remapped,) = notebook.remap([finding], book)
    assert remapped.related[0].span.cell == 2 and remapped.related[0].span.line == 1
    assert remapped.related[1].span == there.span
