"""Test helpers: fail a unit test when a model reuses a layer unsafely.

    from layerlint.testing import assert_no_unsafe_reuse

    def test_model_has_no_unsafe_reuse():
        assert_no_unsafe_reuse(build_model(), np.zeros((2, 28, 28, 1), "float32"))
"""

from __future__ import annotations

from typing import Any

from layerlint.diagnostics import Severity
from layerlint.runtime import TraceReport, trace


def assert_no_unsafe_reuse(model: Any, *inputs: Any, min_severity: Severity = Severity.WARNING,
                           **kwargs: Any) -> TraceReport:
    """Run one forward pass; raise AssertionError with the rendered report if any diagnostic of
    `min_severity` or above (warning by default: LL001, LL002) was found. A forward pass that
    raised for another reason re-raises that exception. Returns the report otherwise."""
    __tracebackhide__ = True
    report = trace(model, *inputs, raise_on_error=False, **kwargs)
    bad = [d for d in report.diagnostics if d.severity >= min_severity]
    if bad:
        raise AssertionError("unsafe layer reuse:\n" + report.render_text()) from report.error
    if report.error is not None:
        raise report.error
    return report
