"""The evaluation corpus under eval/: every case is well-formed, the static score never drops below
eval/baseline.json, and every case's expectation agrees with a real run of the framework.

The full confirm run (all cases, real frameworks, under the tracer) takes about 15 s on two CPU
cores, so it runs over every case here rather than a sample.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"
sys.path.insert(0, str(EVAL_DIR))

corpus = importlib.import_module("corpus")
CASES = corpus.all_cases()
BASELINE = json.loads((EVAL_DIR / "baseline.json").read_text(encoding="utf-8"))
TOLERANCE = 1e-9


def test_corpus_is_large_enough():
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if c.negative) >= 20
    assert {c.framework for c in CASES} == {"keras", "tf_keras", "torch"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_well_formed(case):
    assert case.sources, "every case names its public source in a `# source:` comment"
    assert case.runs, "every case has a `# run: EXPR on SHAPES` line"
    assert case.expected or case.expect_none or not case.expect_raise, "a negative case cannot expect a raise"
    if case.expect_none:
        assert not case.expected, "`# expect-none` and `# expect:` contradict each other"
    for codes in case.expected.values():
        assert all(code.startswith("LL0") for code in codes)
    compile(case.text, str(case.path), "exec")


def test_score_never_drops_below_baseline():
    score = importlib.import_module("score")
    result = score.score(CASES)
    assert result["cases"] >= BASELINE["cases"], "cases were removed from the corpus"
    drops = []
    for code, figures in BASELINE["per_rule"].items():
        row = result["per_rule"].get(code, {})
        for metric in ("precision", "recall"):
            floor = figures.get(metric)
            value = row.get(metric)
            if floor is not None and (value is None or value + TOLERANCE < floor):
                drops.append(f"{code} {metric}: {value} < baseline {floor}")
    assert not drops, "\n".join(drops)


def test_every_expectation_agrees_with_a_real_run():
    for module in ("keras", "tf_keras", "torch"):
        pytest.importorskip(module)
    confirm = importlib.import_module("confirm")
    results = confirm.run(CASES)
    failures = [f"{r['case']}: {'; '.join(r['problems'])}" for r in results if r["problems"]]
    assert not failures, "\n".join(failures)
