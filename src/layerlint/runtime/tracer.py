"""`trace()` and `tracing()`: record the layer calls of real forward passes and judge the reuse."""

from __future__ import annotations

import contextlib
import operator
import sys
from typing import Any, Iterator, Sequence

from layerlint import gc_pause
from layerlint.runtime import coverage, hooks, structure
from layerlint.runtime.configured import configure
from layerlint.runtime.judge import build_report
from layerlint.runtime.records import CallRecord, LayerReuseError, TraceReport


class _Recorder:
    def __init__(self, frameworks: list[str]) -> None:
        self.frameworks = frameworks
        self.calls: list[CallRecord] = []


def _frameworks(requested: list[str] | None) -> list[str]:
    if requested is None:
        return hooks.frameworks_in_use()
    unknown = set(requested) - set(hooks.FRAMEWORK_MODULES)
    if unknown:
        raise ValueError(f"unknown framework(s): {', '.join(sorted(unknown))}")
    for framework in requested:
        __import__(hooks.FRAMEWORK_MODULES[framework])
    return list(requested)


def _has_mismatch(report: TraceReport) -> bool:
    return any(d.code == "LL001" for d in report.diagnostics)


@contextlib.contextmanager
def tracing(model: Any = None, *, frameworks: list[str] | None = None, select: Sequence[str] | None = None,
            ignore: Sequence[str] = (), allow: Sequence[str] = (), extend_select: Sequence[str] = (),
            config_path: str | None = None, default_selection: bool = False,
            one_pass: bool = False, retrace: bool = True) -> Iterator[TraceReport]:
    """Record every layer call made in this thread inside the block; the yielded report is
    filled when the block ends.

    Each top-level layer call in the block (a model call, or each training step's model call
    inside `fit`) is one forward pass: reuse is judged within a pass, never across passes.
    If the block raises because a reused layer was built for another feature size, a
    `LayerReuseError` is raised from the original exception; any other exception propagates
    unchanged (the report, with `.error` set, is still filled).
    `frameworks` defaults to those already imported ("keras", "tf_keras", "torch").
    `one_pass=True` judges every call in the block as one forward pass (a training step that
    calls several sub-models in turn).

    Pass the `model` to name the layers by their paths in it, to have the report say when it saw
    only part of the model, and (unless `retrace=False`) to make a Keras model trace its compiled
    steps again (a second `fit` would otherwise run an already traced `tf.function` and record
    nothing). Keras functional models built inside the block are located at their builder's
    lines. Findings follow `[tool.layerlint]` and `select`/`ignore`/`allow`
    (see `layerlint.runtime.configured`).
    """
    recorder = _Recorder(_frameworks(frameworks))
    report = TraceReport()
    if model is not None and retrace:
        coverage.forget_compiled_steps(model)
    roots = [] if model is None else [(coverage.unwrap(model)[0], "")]  # a compiled model: named from inside
    options = {"select": select, "ignore": ignore, "allow": allow, "extend_select": extend_select,
               "config_path": config_path, "use_default_selection": default_selection}
    said: list = []  # what the block did to see more (compiled code run eagerly)
    try:
        with coverage.compiled_code_eager(model, said):
            hooks.activate(recorder)
            try:
                yield report
            finally:
                hooks.deactivate(recorder)
    except BaseException as exc:
        _fill(report, _judged(recorder.calls, roots, model, said, options, single_pass=one_pass, error=exc))
        if isinstance(exc, Exception) and _has_mismatch(report):
            raise LayerReuseError(report) from exc
        raise
    _fill(report, _judged(recorder.calls, roots, model, said, options, single_pass=one_pass, error=None))


def _judged(calls: list[CallRecord], roots: list, model: Any, said: list, options: dict, *,
            single_pass: bool, error: BaseException | None) -> TraceReport:
    """The report, with what it could not see (and what it did to see more) said, and the
    configuration applied."""
    with gc_pause.paused():
        return _judge_all(calls, roots, model, said, options, single_pass=single_pass, error=error)


def _judge_all(calls: list[CallRecord], roots: list, model: Any, said: list, options: dict, *,
               single_pass: bool, error: BaseException | None) -> TraceReport:
    from layerlint.config import ConfigError

    tree = _tree(model, calls)
    report = build_report(calls, roots, single_pass=single_pass, error=error, tree=tree)
    if model is not None and coverage._exported(model):
        from layerlint.runtime.exported import judge_exported

        report.diagnostics += judge_exported(model)
    report.notices = list(said) + coverage.notices(report, model, tree=tree)
    try:
        report.diagnostics, report.hidden = configure(report.diagnostics, **options)
    except ConfigError:
        if error is None:
            raise
        # the pass's own exception matters more than a broken configuration: report unfiltered
    return report


def _tree(model: Any, calls: list[CallRecord]) -> structure.View | None:
    """The module tree of the traced PyTorch model (or of the one model a `tracing()` block called),
    as it is now: the pass may have changed it."""
    if "torch.nn.modules.module" not in sys.modules:
        return None
    if model is None:
        outermost = {id(call.obj): call.obj for call in calls if call.parent is None}
        if len(outermost) != 1:
            return None
        model = next(iter(outermost.values()))
    return structure.read(model)


def _fill(target: TraceReport, source: TraceReport) -> None:
    target.__dict__.update(source.__dict__)


_TRAINING = operator.attrgetter("training")


def _snapshot(model: Any, kwargs: dict, tree: structure.View | None = None) -> list:
    """Mode and non-trainable state that a forward pass may change, to put back afterwards.

    PyTorch buffers are saved when a module is in training mode (in eval mode BatchNorm does not
    update its running statistics); Keras non-trainable variables when `training=True` is passed
    (a direct Keras call runs in inference mode otherwise). `tree`: the model's current module tree."""
    saved: list = []
    if "torch.nn.modules.module" in sys.modules:
        import torch

        if isinstance(model, torch.nn.Module):
            kept = tree is not None and tree.root is model and tree.standard
            modules = tree.modules if kept and tree is not None else list(model.modules())
            modes = list(map(_TRAINING, modules))
            buffers = []
            if any(modes):
                with torch.no_grad():
                    for buffer in model.buffers():
                        if not isinstance(buffer, torch.nn.parameter.UninitializedBuffer):
                            buffers.append((buffer, buffer.detach().clone()))

            def restore_torch() -> None:
                if any(map(operator.is_not, map(_TRAINING, modules), modes)):  # usually none changed
                    for module, mode in zip(modules, modes):
                        if module.training is not mode:  # nn.Module.__setattr__ is slow: only what changed
                            module.training = mode
                if buffers:
                    with torch.no_grad():
                        for buffer, value in buffers:
                            if buffer.shape == value.shape:
                                buffer.copy_(value)

            saved.append(restore_torch)
    if kwargs.get("training") and any(m in sys.modules for m in ("keras.src.layers.layer",
                                                                  "tf_keras.src.engine.base_layer")):
        try:
            variables = list(model.non_trainable_weights)
        except Exception:
            variables = []
        if variables:
            values = [(v, v.numpy()) for v in variables]

            def restore_keras() -> None:
                for variable, value in values:
                    try:
                        variable.assign(value)
                    except Exception:
                        pass

            saved.append(restore_keras)
    return saved


def trace(model: Any, *inputs: Any, raise_on_error: bool = True, restore_state: bool = True,
          frameworks: list[str] | None = None, select: Sequence[str] | None = None,
          ignore: Sequence[str] = (), allow: Sequence[str] = (), extend_select: Sequence[str] = (),
          config_path: str | None = None, default_selection: bool = False, **kwargs: Any) -> TraceReport:
    """Run `model(*inputs, **kwargs)` once, recording every layer call, and judge the reuse.

    Returns a `TraceReport`. If the forward pass raises because a reused layer was built for
    another feature size, raises `LayerReuseError` from the original exception (the report is on
    the exception); any other exception is re-raised unchanged. With `raise_on_error=False`
    nothing is raised: the report carries the exception in `.error`.

    `restore_state` puts back what the pass may have changed: PyTorch train/eval modes and
    buffers (BatchNorm running statistics), Keras non-trainable variables (moving statistics).
    The whole call is one forward pass.

    A `torch.compile`d module is traced through its original (`_orig_mod`), run eagerly, and so are
    compiled modules inside the model (`torch.compiler.set_stance("force_eager")`). When the
    pass recorded no layer call, or calls of far fewer layers than the model holds, the report's
    `notices` say so and why instead of looking clean.

    Findings follow `[tool.layerlint]` of the project (found from `config_path`, default the
    current folder): `ignore`, `per-file-ignores`, `severity`, `allow-shared`, `select`; then the
    arguments: `select` and `ignore` take codes or prefixes, `allow` names intended sharing
    (an instance path such as `encoder.norm` or its last part, a layer class, a glob). Unlike the
    CLI, an unset `select` keeps every finding, LL003 included (`default_selection=True`: the
    rules on by default, as `check` runs them). Left-out findings are in `report.hidden`.
    """
    target, notice = coverage.unwrap(model)
    recorder = _Recorder(_frameworks(frameworks))
    tree = _tree(target, [])  # as it is before the pass: its modes to put back, compiled modules in it
    restorers = _snapshot(target, kwargs, tree) if restore_state else []
    error: BaseException | None = None
    said = [] if notice is None else [notice]
    with coverage.compiled_code_eager(target, said, tree):  # compiled sub-modules inside the model
        hooks.activate(recorder)
        try:
            target(*inputs, **kwargs)
        except Exception as exc:
            error = exc
        finally:
            hooks.deactivate(recorder)
            for restore in restorers:
                restore()
    options = {"select": select, "ignore": ignore, "allow": allow, "extend_select": extend_select,
               "config_path": config_path, "use_default_selection": default_selection}
    report = _judged(recorder.calls, [(target, "")], target, said, options, single_pass=True, error=error)
    if error is not None and raise_on_error:
        if _has_mismatch(report):
            raise LayerReuseError(report) from error
        raise error
    return report
