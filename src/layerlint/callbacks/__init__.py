"""Training callbacks that trace the first training step and report unsafe layer reuse.

    model.fit(x, y, callbacks=[layerlint.keras.ReuseCheck()])             # Keras 3
    Trainer(callbacks=[layerlint.lightning.ReuseCheck()]).fit(module)     # PyTorch Lightning

Both record the layer calls of the first training step of each `fit`, judge them as one forward
pass, log each finding to the `layerlint` logger (and `report` keeps the last report), and raise
`UnsafeReuseError` on a warning or error finding when `raise_on_error=True`. The framework-specific
parts live in `keras` and `lightning`; this module holds what they share and imports neither.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterator, Sequence

from layerlint.diagnostics import Severity
from layerlint.runtime.records import TraceReport, UnsafeReuseError

LOGGER = logging.getLogger("layerlint")


class FirstStepCheck:
    """What both callbacks do around one training step: trace it, then log and maybe raise."""

    def __init__(self, raise_on_error: bool = False, select: Sequence[str] | None = None,
                 ignore: Sequence[str] = (), allow: Sequence[str] = (),
                 logger: logging.Logger | None = None) -> None:
        self.raise_on_error = raise_on_error
        self.options: dict[str, Any] = {"select": select, "ignore": ignore, "allow": allow}
        self.logger = logger or LOGGER
        self.report: TraceReport | None = None

    @contextlib.contextmanager
    def step(self, model: Any) -> Iterator[TraceReport]:
        """Trace the calls inside the block as one forward pass of `model`; report when it ends.
        (The callback has already made the step run as Python: no retrace here.)"""
        from layerlint.runtime.tracer import tracing

        with tracing(model, one_pass=True, retrace=False, **self.options) as report:
            yield report
        self.report = report
        self.publish(report)

    def publish(self, report: TraceReport) -> None:
        for diagnostic in report.diagnostics:
            level = logging.WARNING if diagnostic.severity >= Severity.WARNING else logging.INFO
            self.logger.log(level, "%s", _render(diagnostic))
        for note in report.notes:
            self.logger.warning("note: %s", note)
        self.logger.info("first training step: %s", report.summary())
        if self.raise_on_error and (report.findings or report.blind):
            raise UnsafeReuseError(report)


def _render(diagnostic: Any) -> str:
    from layerlint.report.text import render_one

    return render_one(diagnostic, None)


__all__ = ["FirstStepCheck", "LOGGER", "UnsafeReuseError"]
