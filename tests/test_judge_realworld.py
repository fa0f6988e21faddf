"""The realworld benchmark's 'reported bug found' column (eval/realworld/scorer.py): a corpus pinned
at a release with a publicly reported bug says whether a warning or an error found that bug, so a
release whose bug the checker misses shows as a miss rather than as a quiet corpus. No downloads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval" / "realworld"))

import scorer  # noqa: E402
from corpora import BY_NAME, CORPORA  # noqa: E402


def finding(path, line, code="LL002", severity="warning"):
    return {"code": code, "severity": severity, "message": "`self.norm` (LayerNorm) is called at lines 1, 2",
            "location": {"path": path, "line": line, "column": 1}}


def labels(tmp_path, verdict="TRUE", bug="owner/repo#1"):
    label = {"corpus": "mini", "path": "mini/a.py", "line": 10, "code": "LL002", "verdict": verdict,
             "reason": "one norm for the attention and the MLP"}
    if bug:
        label["bug"] = bug
    path = tmp_path / "labels.json"
    path.write_text(json.dumps({"labels": [label]}), encoding="utf-8")
    return scorer.load_labels(path)


def result(findings, reported_bug="owner/repo#1"):
    return {"corpus": "mini", "requirement": "mini==1.0", "files": 2, "seconds": 0.1, "findings": findings,
            "reported_bug": reported_bug}


def test_a_warning_labelled_as_the_reported_bug_is_found(tmp_path):
    row = scorer.score_corpus(result([finding("mini/a.py", 10)]), labels(tmp_path))
    table = scorer.render([row])
    assert "| yes (owner/repo#1) |" in table
    assert table.splitlines()[-1].endswith("| 1 of 1 |")


def test_a_release_whose_reported_bug_gives_no_warning_is_a_miss(tmp_path):
    row = scorer.score_corpus(result([]), labels(tmp_path))
    table = scorer.render([row])
    assert "| **no** (owner/repo#1) |" in table
    assert table.splitlines()[-1].endswith("| 0 of 1 |")


def test_a_true_finding_that_is_another_bug_does_not_count_as_the_reported_one(tmp_path):
    row = scorer.score_corpus(result([finding("mini/a.py", 10)]), labels(tmp_path, bug=""))
    assert row["TRUE"] == 1
    assert "| **no** (owner/repo#1) |" in scorer.render([row])


def test_a_corpus_without_a_report_shows_a_dash(tmp_path):
    row = scorer.score_corpus(result([], reported_bug=""), labels(tmp_path))
    assert scorer.render([row]).splitlines()[2].endswith("| - |")


def test_every_bug_label_names_its_corpus_report_and_every_release_is_pinned():
    shipped = scorer.load_labels(ROOT / "eval" / "realworld" / "labels.json")
    for (corpus, path, line, code), label in shipped.items():
        if label.get("bug"):
            assert label["verdict"] == "TRUE", (path, line)
            assert BY_NAME[corpus].reported_bug == label["bug"], (path, line)
    assert all("==" in corpus.requirement for corpus in CORPORA)
    assert sum(bool(corpus.reported_bug) for corpus in CORPORA) >= 3
