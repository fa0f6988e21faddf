"""What a trace could not see: never report a clean model when the layers did not run as Python.

Compiled code runs the layers without calling them: a `torch.compile`d module that already ran,
a Keras `fit`/`predict` whose `tf.function` (or `jax.jit`) was traced before, a `torch.export`ed or
scripted module. A trace of those records few or no layer calls, so it would look clean. This
module finds the original where it is reachable (`unwrap`), makes Keras retrace its compiled
steps (`forget_compiled_steps`), and otherwise says plainly what was not seen (`notices`).
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Iterator

from layerlint.diagnostics import Text
from layerlint.i18n import N_

# A trace that records fewer distinct layers than this share of the model's layers is suspicious.
MIN_COVERAGE = 0.25
_KERAS_STEPS = ("train_function", "test_function", "predict_function")
_PARTLY_SEEN = N_("recorded calls of {recorded} of the model's {total} layers, so this report "
                  "cannot say the model is clean: {why}")


def _torch() -> Any | None:
    if "torch.nn.modules.module" not in sys.modules:
        return None
    import torch

    return torch


def unwrap(model: Any) -> tuple[Any, Text | None]:
    """The module to trace in place of `model`, and a notice saying so when it is not `model`."""
    torch = _torch()
    if torch is None:
        return model, None
    original = getattr(model, "_orig_mod", None)
    if isinstance(model, torch.nn.Module) and isinstance(original, torch.nn.Module):
        return original, Text(N_("traced the module inside torch.compile (`_orig_mod`), run eagerly: "
                                 "compiled code does not call the layers one by one"))
    return model, None


def holds_compiled(model: Any, tree: Any = None) -> bool:
    """True when `model` is, or holds, a `torch.compile`d module (Dynamo is imported then). `tree`:
    the model's current `structure.View`, whose classes answer without walking the modules."""
    dynamo = sys.modules.get("torch._dynamo")
    torch = _torch()
    compiled = getattr(getattr(dynamo, "eval_frame", None), "OptimizedModule", None)
    if torch is None or compiled is None or not isinstance(model, torch.nn.Module):
        return False
    if tree is not None and tree.root is model and tree.standard:
        return any(issubclass(kind, compiled) for kind in set(tree.classes))
    return any(isinstance(module, compiled) for module in model.modules())


@contextlib.contextmanager
def compiled_code_eager(model: Any, notices: list[Text], tree: Any = None) -> Iterator[None]:
    """Inside the block, compiled PyTorch code runs eagerly when `model` is or holds a compiled
    module (`torch.compiler.set_stance("force_eager")`): its layers are called as Python, so the
    trace sees them, instead of a report that saw nothing. Says so in `notices`."""
    torch = _torch()
    set_stance = getattr(getattr(torch, "compiler", None), "set_stance", None)
    if set_stance is None or not holds_compiled(model, tree):
        yield
        return
    notices.append(Text(N_("the model holds torch.compile'd modules: they ran eagerly during the trace, "
                           "so that their layers could be recorded")))
    with set_stance("force_eager"):
        yield


def forget_compiled_steps(model: Any) -> bool:
    """Make a Keras model build its train/test/predict function again on next use, so that the
    first step runs the layers as Python (a second `fit` reuses an already traced function)."""
    forgot = False
    for name in _KERAS_STEPS:
        if getattr(model, name, None) is not None:
            try:
                setattr(model, name, None)
                forgot = True
            except Exception:  # a read-only property in some wrapper
                pass
    return forgot


def layer_count(model: Any, tree: Any = None) -> int:
    """How many layers the model holds (itself excluded), for PyTorch and Keras. `tree`: the
    model's current `structure.View`, which has counted its modules."""
    torch = _torch()
    try:
        if torch is not None and isinstance(model, torch.nn.Module) and not hasattr(model, "_flatten_layers"):
            counted = tree.count() if tree is not None and tree.root is model else None
            return counted if counted is not None else sum(1 for _ in model.modules()) - 1
        return sum(1 for layer in model._flatten_layers(include_self=False, recursive=True)
                   if type(layer).__name__ != "InputLayer")
    except Exception:
        return 0


def _why(model: Any) -> Text:
    torch = _torch()
    if torch is not None and isinstance(model, torch.nn.Module):
        if isinstance(getattr(model, "_orig_mod", None), torch.nn.Module):
            return Text(N_("the model is compiled with torch.compile and its compiled code ran without "
                           "calling the layers; trace `model._orig_mod` (layerlint.trace does)"))
        if "torch._dynamo" in sys.modules and not isinstance(model, (torch.jit.ScriptModule, torch.fx.GraphModule)):
            return Text(N_("the model is probably compiled with torch.compile, whose compiled code ran without "
                           "calling the layers; pass the model, tracing(model), to run its compiled code "
                           "eagerly in the block, or trace it with layerlint.trace"))
        if isinstance(model, torch.jit.ScriptModule):
            return Text(N_("the model is a TorchScript module, whose layers are not called as Python; "
                           "trace the module before torch.jit.script or torch.jit.trace"))
        if isinstance(model, torch.fx.GraphModule):
            return Text(N_("the model is a graph module (torch.export, torch.fx): its layers were turned "
                           "into operations, so layer instances cannot be told apart; trace the module "
                           "before export"))
    if any(getattr(model, name, None) is not None for name in _KERAS_STEPS):
        return Text(N_("a compiled step (Keras fit, evaluate or predict after its first call: tf.function, "
                       "jax.jit) ran without running the layers as Python; pass the model to "
                       "tracing(model), or use layerlint.keras.ReuseCheck, to trace the first step again"))
    return Text(N_("compiled code (a second Keras fit, tf.function, jax.jit, torch.compile, TorchScript) runs "
                   "layers without calling them as Python; pass the model, tracing(model), to trace a Keras "
                   "model's steps again, or trace the model's eager forward pass"))


def _outermost(report: Any) -> list[Any]:
    """The objects of the pass's outermost calls: the models of a `tracing()` block."""
    found: dict[int, Any] = {}
    for inst in report.instances:
        if any(call.parent is None for call in inst.calls):
            found.setdefault(id(inst.obj), inst.obj)
    return list(found.values())


def _exported(model: Any) -> bool:
    if _torch() is None:
        return False
    from layerlint.runtime.exported import is_exported

    return is_exported(model)


def _partly_seen(report: Any, model: Any, tree: Any = None) -> Text | None:
    if _exported(model):
        return Text(N_("the model is an exported graph module: its layers became operations, so its layer "
                       "instances were recovered from the parameters and buffers the operations read; "
                       "stateless layers cannot be told apart"))
    total = layer_count(model, tree)
    recorded = sum(1 for inst in report.instances if inst.obj is not model)
    if report.blind or (total >= 4 and recorded < MIN_COVERAGE * total):
        return Text(_PARTLY_SEEN, {"recorded": recorded, "total": total, "why": _why(model)})
    return None


def saw_too_little(report: Any) -> bool:
    """True when the report says it recorded no call, or too few of the model's layers."""
    return report.blind or any(notice.template == _PARTLY_SEEN for notice in report.notices)


def notices(report: Any, model: Any | None, tree: Any = None) -> list[Text]:
    """What the report must say about the calls it could not see. `tree`: the model's current
    `structure.View`, if it has one."""
    found: list[Text] = []
    if model is None and report.blind:
        found.append(Text(N_("no layer call was recorded in the block: {why}"), {"why": _why(None)}))
    for each in [model] if model is not None else _outermost(report):
        notice = _partly_seen(report, each, tree)
        if notice is not None:
            found.append(notice)
    if report.diagnostics and any(call.unlocated for inst in report.instances for call in inst.calls):
        found.append(Text(N_("calls made by a Keras functional model are shown at the model's caller: it "
                             "was built before tracing. Build it inside layerlint.runtime.recording_builds(), "
                             "or trace it with `layerlint trace`, to see the builder's lines")))
    return found
