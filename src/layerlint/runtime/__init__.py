"""Runtime tracing: run a real forward pass and report how each layer instance was called.

    report = layerlint.runtime.trace(model, x)          # one forward pass
    with layerlint.runtime.tracing() as report:         # any layer call inside the block
        model.fit(x, y, epochs=1, steps_per_epoch=1)

Supports Keras 3 (TensorFlow, JAX or torch backend), tf_keras and PyTorch `nn.Module`s: subclassed,
functional, Sequential and nested models. Only the frameworks already imported are hooked; none
is imported by `import layerlint.runtime`.

Inside compiled code the hooks run when the framework runs Python: `tf.function` (Keras `fit`,
`predict` unless `run_eagerly=True`) records each layer call once, when the function is traced,
with symbolic shapes (the batch size may be None) — later calls of the compiled graph are not
seen; under `jax.jit` (Keras `fit` on JAX) likewise, with abstract shapes (the Keras callback is
tested on JAX). TorchDynamo is told to skip layerlint's code: a model compiled inside a trace
calls the hooks at graph breaks, and nothing of layerlint is compiled or recompiled; code compiled
before the trace runs without calling the layers, so `trace` follows a compiled module to
`_orig_mod` and both `trace(model)` and `tracing(model)` run the compiled modules they hold
eagerly (`torch.compiler.set_stance("force_eager")`). `torch.jit.script`/`trace` modules are not
nn.Module `__call__`s and are not recorded. A report that saw no call, or far fewer layers than
the model holds, says so in its `notices` (see `coverage`); `tracing(model)` has Keras trace its
compiled steps again.

Module map: `hooks` (the framework hooks, builder lines of functional nodes), `records` (what was
recorded, the report), `judge` (calls -> findings), `paths` (instances named by attribute paths,
other names of shared modules), `structure` (a PyTorch model's module tree, kept between traces while
it does not change), `coverage` (what could not be seen), `configured` (findings -> what the
configuration keeps), `exported` (a `torch.export`ed module, judged from its graph), `tracer`
(`trace`, `tracing`), `cli`.
"""

from __future__ import annotations

from layerlint.runtime.hooks import recording_builds
from layerlint.runtime.records import CallRecord, LayerInstance, LayerReuseError, TraceReport, UnsafeReuseError
from layerlint.runtime.tracer import trace, tracing

__all__ = ["CallRecord", "LayerInstance", "LayerReuseError", "TraceReport", "UnsafeReuseError",
           "recording_builds", "trace", "tracing"]
