"""`ReuseCheck`: a Keras 3 callback that traces the first training step of each `fit`.

Keras compiles the training step (`tf.function` on TensorFlow, `jax.jit` on JAX) once and then
runs the compiled graph, whose layer calls no hook can see; a second `fit` reuses it. So at the
start of each `fit` the callback has Keras build the step again and wraps it once: its first call
runs the layers as Python, inside a trace. The wrapper then puts the step back, so the other
steps run as fast as without the callback.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

import keras

from layerlint.callbacks import FirstStepCheck


class ReuseCheck(keras.callbacks.Callback):
    """Trace the first training step of each `fit` and log the layer reuse found.

    `raise_on_error=True` stops training with `UnsafeReuseError` on a warning or error finding
    (LL001, LL002), or when the step could not be seen. `select`, `ignore` and `allow` are as for
    `layerlint.trace`; `[tool.layerlint]` applies. The last report is in `.report`."""

    def __init__(self, raise_on_error: bool = False, select: Sequence[str] | None = None,
                 ignore: Sequence[str] = (), allow: Sequence[str] = (),
                 logger: logging.Logger | None = None) -> None:
        super().__init__()
        self.check = FirstStepCheck(raise_on_error, select, ignore, allow, logger)

    @property
    def report(self) -> Any:
        return self.check.report

    def on_train_begin(self, logs: dict | None = None) -> None:
        model = self.model
        model.make_train_function(force=True)  # a new function, traced again on its first call
        compiled = model.train_function
        check = self.check

        def first_step(*args: Any, **kwargs: Any) -> Any:
            model.train_function = compiled  # every later step runs the compiled step directly
            with check.step(model):
                return compiled(*args, **kwargs)

        model.train_function = first_step
