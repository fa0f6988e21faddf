"""The verdicts are checked against the real framework: every example with an error-severity finding
(LL001, or LL005 for Keras 3's refusal of new state) must raise when built and called, and every
other example must run."""

from __future__ import annotations

import os

import pytest

from example_runner import example_sources, framework_of, run_example, run_lines
from layerlint.diagnostics import Severity
from layerlint.static.checker import Selection, check_source

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CASES = [
    pytest.param(name, source, expr, shapes, id=f"{name}:{expr}")
    for name, source in example_sources()
    for expr, shapes in run_lines(source)
]
FRAMEWORK_MODULES = {"keras": "keras", "tf_keras": "tf_keras", "torch": "torch"}


def test_every_crash_example_is_runnable():
    from layerlint.static.rules.ll001_reuse_shape_mismatch import INVALID

    assert all(run_lines(source) for source in INVALID)


@pytest.mark.parametrize("name, source, expr, shapes", CASES)
def test_static_crash_verdict_matches_a_real_run(name, source, expr, shapes):
    pytest.importorskip(FRAMEWORK_MODULES[framework_of(source)])
    findings = check_source(source, name, Selection(select=("ALL",)))
    predicted_crash = any(d.severity is Severity.ERROR for d in findings)
    error = run_example(source, name.replace("/", "_").replace("-", "_"), expr, shapes)
    if predicted_crash:
        assert error is not None, "reported as a crash, but the model ran"
    else:
        assert error is None, f"reported clean, but the model raised {type(error).__name__}: {error}"
