"""Test helpers: fail a unit test when a model reuses a layer unsafely.

    from layerlint.testing import assert_no_unsafe_reuse

    def test_model_has_no_unsafe_reuse():
        assert_no_unsafe_reuse(build_model(), np.zeros((2, 28, 28, 1), "float32"))

    # intended sharing (DETR's decoder norm on every intermediate output):
    assert_no_unsafe_reuse(model, x, allow=["decoder.layernorm"])
"""

from __future__ import annotations

from typing import Any, Sequence

from layerlint.diagnostics import Severity
from layerlint.runtime import TraceReport, trace


def assert_no_unsafe_reuse(model: Any, *inputs: Any, min_severity: Severity = Severity.WARNING,
                           select: Sequence[str] | None = None, ignore: Sequence[str] = (),
                           allow: Sequence[str] = (), **kwargs: Any) -> TraceReport:
    """Run one forward pass; raise AssertionError with the rendered report if any diagnostic of
    `min_severity` or above (warning by default: LL001, LL002) was found, or if the trace saw
    none of the model's layer calls (compiled code), since passing then would prove nothing.
    A forward pass that raised for another reason re-raises that exception. Returns the report.

    The project's `[tool.layerlint]` applies (`ignore`, `per-file-ignores`, `severity`,
    `allow-shared`, `select`), then `select` / `ignore` (codes or prefixes) and `allow` (intended
    sharing: an instance path, its last part, a layer class, or a glob)."""
    __tracebackhide__ = True
    report = trace(model, *inputs, raise_on_error=False, select=select, ignore=ignore, allow=allow, **kwargs)
    bad = [d for d in report.diagnostics if d.severity >= min_severity]
    if bad:
        raise AssertionError("unsafe layer reuse:\n" + report.render_text()) from report.error
    if report.error is not None:
        raise report.error
    if report.blind or report.notices and _coverage_failed(report):
        raise AssertionError("the trace could not see the model's layer calls:\n" + report.render_text())
    return report


def _coverage_failed(report: TraceReport) -> bool:
    """A notice that the trace saw too little (not one that only explains a location)."""
    from layerlint.runtime.coverage import saw_too_little

    return saw_too_little(report)
