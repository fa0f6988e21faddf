"""The realworld scorer (eval/realworld/scorer.py) counts what its docstring promises, on a small
fixture (no downloads here): warnings and errors by verdict, precision, errors judged FALSE, demoted
infos and the demoted true bugs, and findings nobody labelled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval" / "realworld"))

import scorer as score  # noqa: E402  (not `score`: eval/score.py is imported under that name)

LABELS = ROOT / "tests" / "data" / "realworld" / "labels.json"


def finding(path, line, code, severity, message="`self.norm` (LayerNorm) is called at lines 1, 2"):
    return {"code": code, "severity": severity, "message": message,
            "location": {"path": path, "line": line, "column": 1}}


RESULT = {"corpus": "mini", "requirement": "mini==1.0", "files": 3, "seconds": 0.5, "findings": [
    finding("mini/a.py", 10, "LL002", "warning"),
    finding("mini/a.py", 20, "LL002", "warning"),
    finding("mini/b.py", 5, "LL001", "error"),
    finding("mini/b.py", 30, "LL003", "info", "`self.norm` ...; applied in a loop: looks intended"),
    finding("mini/b.py", 40, "LL003", "info", "`self.proj` (Linear) is called in a loop: the calls share its weights"),
]}


def test_counts_verdicts_precision_and_demoted_misses():
    row = score.score_corpus(RESULT, score.load_labels(LABELS))
    assert (row["reported"], row["TRUE"], row["INTENTIONAL"], row["FALSE"]) == (3, 1, 1, 1)
    assert row["errors"] == 1 and row["errors_false"] == 1
    assert row["demoted"] == 1 and row["missed"] == 1  # the plain LL003 info is not scored
    assert row["unlabelled"] == []
    table = score.render([row])
    assert "| mini==1.0 | 3 | 3 | 1 | 1 | 1 | 0.33 | 1 | 1 | 1 | 0.5 |" in table


def test_a_finding_without_a_label_is_listed_not_counted():
    result = dict(RESULT, findings=RESULT["findings"] + [finding("mini/c.py", 7, "LL004", "warning")])
    row = score.score_corpus(result, score.load_labels(LABELS))
    assert row["reported"] == 3
    assert row["unlabelled"] == ["mini/c.py:7: LL004 [warning] `self.norm` (LayerNorm) is called at lines 1, 2"]
    assert "1 finding(s) without a label" in score.render([row])


def test_a_label_needs_a_known_verdict_and_a_reason(tmp_path):
    bad = tmp_path / "labels.json"
    bad.write_text(json.dumps({"labels": [{"corpus": "mini", "path": "a.py", "line": 1, "code": "LL002",
                                           "verdict": "MAYBE", "reason": "?"}]}), encoding="utf-8")
    with pytest.raises(ValueError):
        score.load_labels(bad)


def test_the_shipped_labels_are_well_formed():
    from corpora import BY_NAME

    labels = score.load_labels(ROOT / "eval" / "realworld" / "labels.json")
    assert len(labels) >= 20
    assert {key[0] for key in labels} <= set(BY_NAME)
    assert any(label["verdict"] == "TRUE" for label in labels.values()), "a known bug keeps the benchmark honest"


def test_run_scores_stored_results_without_downloading(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "timm.json").write_text(json.dumps(dict(RESULT, corpus="timm", findings=[])), encoding="utf-8")
    done = subprocess.run([sys.executable, str(ROOT / "eval" / "realworld" / "run.py"), "timm", "--score-only",
                           "--cache", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "| mini==1.0 | 3 | 0 | 0 | 0 | 0 | n/a |" in done.stdout
