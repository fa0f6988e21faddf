"""`ReuseCheck`: a PyTorch Lightning callback that traces the first training step of each fit.

Importing this module imports Lightning (`lightning.pytorch`, else the older `pytorch_lightning`);
nothing else in layerlint does.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

try:
    from lightning.pytorch import Callback
except ImportError:  # the standalone package
    from pytorch_lightning import Callback  # type: ignore[no-redef]

from layerlint.callbacks import FirstStepCheck


class ReuseCheck(Callback):
    """Trace the first `training_step` of each fit as one forward pass and log the layer reuse found.

    The step is wrapped for its first call only (the wrapper then removes itself), so a step that
    raises never leaves the hooks behind. `raise_on_error=True` stops training with
    `UnsafeReuseError` on a warning or error finding; the finding count is also logged to the
    trainer's logger as `layerlint/findings`. `select`, `ignore` and `allow` are as for
    `layerlint.trace`; `[tool.layerlint]` applies. The last report is in `.report`."""

    def __init__(self, raise_on_error: bool = False, select: Sequence[str] | None = None,
                 ignore: Sequence[str] = (), allow: Sequence[str] = (),
                 logger: logging.Logger | None = None) -> None:
        super().__init__()
        self.check = FirstStepCheck(raise_on_error, select, ignore, allow, logger)
        self._logged: Any = None  # the report already sent to the trainer's logger

    @property
    def report(self) -> Any:
        return self.check.report

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        check = self.check
        own = "training_step" in vars(pl_module)
        original = pl_module.training_step

        def first_step(*args: Any, **kwargs: Any) -> Any:
            if own:
                pl_module.training_step = original
            else:
                del pl_module.training_step  # the class's method again
            with check.step(pl_module):
                return original(*args, **kwargs)

        pl_module.training_step = first_step

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        report = self.check.report
        if report is not None and report is not self._logged and trainer.logger is not None:
            self._logged = report
            trainer.logger.log_metrics({"layerlint/findings": len(report.diagnostics)}, step=trainer.global_step)
