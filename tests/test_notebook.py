"""Jupyter notebooks: checked and fixed cell by cell, magics kept, outputs and metadata untouched."""

from __future__ import annotations

import json
from pathlib import Path

from layerlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text()


def make_notebook(path: Path) -> dict:
    head, body = ARTICLE.split("class FeatureExtractor", 1)
    document = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# The article's model\n"]},
            {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["setup"]}, "outputs": [],
             "source": ["%matplotlib inline\n", "!pip install keras\n", *head.splitlines(keepends=True)]},
            {"cell_type": "code", "execution_count": 2, "metadata": {"collapsed": False},
             "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hello\n"]}],
             "source": ("class FeatureExtractor" + body).rstrip("\n").splitlines(keepends=True)},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": "%%bash\necho not python at all (\n"},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document, indent=1) + "\n")
    return document


def test_findings_point_at_cell_and_line_and_magics_do_not_break_parsing(capsys, tmp_path):
    make_notebook(tmp_path / "model.ipynb")
    assert main(["check", "--no-cache", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'model.ipynb'}:cell 3:14:13: LL001 [error]" in out
    assert "by its call at line 11 but gets 16" in out
    assert f"{tmp_path / 'model.ipynb'}:cell 3:11:13: first call" in out


def test_fix_changes_only_code_cell_sources(capsys, tmp_path):
    path = tmp_path / "model.ipynb"
    before = make_notebook(path)
    assert main(["check", "--fix", str(path)]) == 0
    after = json.loads(path.read_text())
    assert after["metadata"] == before["metadata"]
    for old, new in zip(before["cells"], after["cells"]):
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
    assert after["cells"][1]["source"] == before["cells"][1]["source"]  # magics kept as they were
    assert after["cells"][3]["source"] == before["cells"][3]["source"]
    fixed = "".join(after["cells"][2]["source"])
    assert "self.batchnorm_2 = BatchNormalization()" in fixed and "self.batchnorm_2(x)" in fixed
    text = path.read_text()
    assert main(["check", "--fix", str(path)]) == 0 and path.read_text() == text  # idempotent
    capsys.readouterr()


def test_broken_notebook_is_a_clear_diagnostic(capsys, tmp_path):
    (tmp_path / "broken.ipynb").write_text('{"cells": [ {"cell_type": "code", "source": "import keras')
    (tmp_path / "model.py").write_text(ARTICLE)
    assert main(["check", "--no-cache", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert "broken.ipynb:1:1: LL902 [error] cannot read the file: broken notebook" in out
    assert "model.py:19:13: LL001" in out
