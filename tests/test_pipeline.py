"""One pipeline, one set of findings: every client sees a file through its configuration.

The folder below has `per-file-ignores`, `extend-exclude`, `allow-shared` and a severity override.
`layerlint check`, `check --diff --unsafe-fixes`, the language server (published diagnostics and the
quick fixes offered on them), the flake8 plugin and the library `layerlint.check_paths` must all
report the same findings, and no client may fix a finding the configuration filtered. These pin the
four bugs of the architecture review (§1.5) and the robustness review's D1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import layerlint
from layerlint import api

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text(encoding="utf-8")
TWO_NORMS = """\
import keras
from keras import layers


class Twice(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_a = layers.Conv2D(16, 3, padding="same")
        self.conv_b = layers.Conv2D(16, 3, padding="same")
        self.norm = layers.BatchNormalization()
        self.other = layers.BatchNormalization()

    def call(self, x):
        x = self.norm(self.conv_a(x))
        x = self.norm(self.conv_b(x))
        x = self.other(self.conv_a(x))
        return self.other(self.conv_b(x))
"""
CONFIG = """\
[tool.layerlint]
per-file-ignores = { "sub/*" = ["LL001"] }
extend-exclude = ["generated/"]
allow-shared = ["self.norm"]
severity = { LL002 = "error" }
"""
# What every client must report: (file, line, code, severity). The allow-listed `self.norm` (line 15),
# the per-file-ignored sub/m.py and the excluded generated/gen.py report nothing.
EXPECTED = {("main.py", 19, "LL001", "error"), ("shared.py", 17, "LL002", "error")}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    for folder in ("sub", "generated"):
        (tmp_path / folder).mkdir()
    (tmp_path / "sub" / "m.py").write_text(ARTICLE)
    (tmp_path / "generated" / "gen.py").write_text(ARTICLE)
    (tmp_path / "main.py").write_text(ARTICLE)
    (tmp_path / "shared.py").write_text(TWO_NORMS)
    return tmp_path


def _rows(diagnostics, root: Path) -> set[tuple[str, int, str, str]]:
    return {(Path(os.path.relpath(d.span.path, root)).as_posix(), d.span.line, d.code, d.severity.label)
            for d in diagnostics}


def via_cli(root: Path) -> set[tuple[str, int, str, str]]:
    result = subprocess.run([sys.executable, "-m", "layerlint", "check", "--no-cache", "--format", "json", "."],
                            cwd=root, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    return {(Path(f["location"]["path"]).as_posix(), f["location"]["line"], f["code"], f["severity"])
            for f in json.loads(result.stdout)}


def via_diff(root: Path) -> set[tuple[str, int, str, str]]:
    """`check --diff --unsafe-fixes`: what it would fix plus what would remain are the findings, and the
    diff touches neither the allow-listed layer nor the ignored and excluded files."""
    result = subprocess.run([sys.executable, "-m", "layerlint", "check", "--no-cache", "--diff", "--unsafe-fixes", "."],
                            cwd=root, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    changed = {line[len("+++ b/"):] for line in result.stdout.splitlines() if line.startswith("+++ b/")}
    assert {Path(p).as_posix() for p in changed} == {"main.py", "shared.py"}
    assert "self.other_2" in result.stdout and "self.norm_2" not in result.stdout
    results = api.fix_paths([str(root)], unsafe=True, write=False)
    assert ARTICLE == (root / "main.py").read_text()  # --diff writes nothing
    return _rows([d for r in results for d in r.applied + r.diagnostics], root)


def via_library(root: Path) -> set[tuple[str, int, str, str]]:
    return _rows(layerlint.check_paths([str(root)]), root)


def via_flake8_plugin(root: Path) -> set[tuple[str, int, str]]:
    """flake8 shows no severity: only (file, line, code) are compared."""
    from layerlint.flake8_plugin import Plugin

    return {(path.relative_to(root).as_posix(), line, message.split()[0])
            for path in sorted(root.rglob("*.py"))
            for line, _, message, _ in Plugin(None, str(path), path.read_text().splitlines(True)).run()}


def via_server(root: Path) -> set[tuple[str, int, str, str]]:
    """Published diagnostics, and on each one a quick fix that fixes that finding, never another."""
    pytest.importorskip("pygls")
    from lsprotocol import types

    from layerlint.server.client import StdioClient, apply_text_edits

    severities = {types.DiagnosticSeverity.Error: "error", types.DiagnosticSeverity.Warning: "warning",
                  types.DiagnosticSeverity.Information: "info"}
    rows = set()
    with StdioClient([sys.executable, "-m", "layerlint.server"], cwd=str(root)) as client:
        client.initialize()
        for path in sorted(root.rglob("*.py")):
            uri, text = path.as_uri(), path.read_text()
            mark = client.mark()
            client.open(uri, text)
            published, _ = client.wait_diagnostics(uri, version=1, start=mark, timeout=60)
            for diagnostic in published.diagnostics:
                rows.add((path.relative_to(root).as_posix(), diagnostic.range.start.line + 1, diagnostic.code,
                          severities[diagnostic.severity]))
                actions = client.request(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
                    context=types.CodeActionContext(diagnostics=[diagnostic])), timeout=60)
                fixes = [a for a in actions if "noqa" not in a.title]
                noqa = [a for a in actions if "noqa" in a.title]
                assert len(fixes) == 1 and len(noqa) == 1, [a.title for a in actions]
                (change,) = fixes[0].edit.document_changes
                fixed = apply_text_edits(text, list(change.edits))
                assert "self.norm_2" not in fixed  # the allow-listed layer is never split
                (change,) = noqa[0].edit.document_changes
                silenced = apply_text_edits(text, list(change.edits)).splitlines()[diagnostic.range.start.line]
                assert silenced.endswith(f"# noqa: {diagnostic.code}")
    return rows


CLIENTS = {"check": via_cli, "check --diff": via_diff, "library": via_library, "flake8": via_flake8_plugin,
           "server": via_server}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_every_client_sees_the_same_findings(client, project):
    found = CLIENTS[client](project)
    expected = {row[:3] for row in EXPECTED} if client == "flake8" else EXPECTED
    assert found == expected


def test_fix_leaves_filtered_files_and_layers_alone(project):
    """Robustness review D1: `--fix --unsafe-fixes` rewrites only what `check` reports."""
    before = {p: p.read_text() for p in project.rglob("*.py")}
    result = subprocess.run([sys.executable, "-m", "layerlint", "check", "--no-cache", "--fix", "--unsafe-fixes", "."],
                            cwd=project, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    after = {p: p.read_text() for p in project.rglob("*.py")}
    assert {p.relative_to(project).as_posix() for p in before if before[p] != after[p]} == {"main.py", "shared.py"}
    assert "self.other_2" in after[project / "shared.py"] and "self.norm_2" not in after[project / "shared.py"]
