"""Layer reuse in a `torch.export`ed module, judged from its graph instead of from layer calls.

An exported module (`torch.export.export(m, args).module()`) no longer calls its layers: they became
operations. But each operation keeps, in `node.meta["nn_module_stack"]`, the module path it came
from, and reads the parameters and buffers it uses through `get_attr` nodes. Two module paths
whose operations read the same tensors were one module instance before export (`bn2 = bn1`): its
calls are rebuilt from the graph (one per module path, located by `meta["stack_trace"]`) and
judged like traced calls. Stateless layers read no tensor, so they cannot be told apart: the
report says so.
"""

from __future__ import annotations

import re
from typing import Any

from layerlint import catalog
from layerlint.catalog import LayerTraits
from layerlint.diagnostics import Diagnostic, Span
from layerlint.runtime import judge
from layerlint.runtime.records import CallRecord, LayerInstance

_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
_INDEX = re.compile(r"\.(\d+)(?=\.|$)")  # export's `layer1.0.bn1` is layerlint's `layer1[0].bn1`


def is_exported(model: Any) -> bool:
    """A graph module whose layers are operations (no `call_module` other than export's guards)."""
    import torch

    if not isinstance(model, torch.fx.GraphModule):
        return False
    return not any(node.op == "call_module" and not str(node.target).startswith("_guards")
                   for node in model.graph.nodes)


def _site(node: Any) -> Span | None:
    """The innermost user frame of the node's recorded stack."""
    from layerlint.runtime.hooks import _is_internal
    from layerlint.runtime.records import _display_path

    found = None
    for filename, line in _FRAME.findall(node.meta.get("stack_trace") or ""):
        if not _is_internal(filename):
            found = Span(_display_path(filename), int(line), 1)
    return found


def _tensor(model: Any, target: str) -> Any:
    value = model
    for part in target.split("."):
        value = getattr(value, part, None)
    return value


def _module_calls(model: Any) -> dict[str, dict]:
    """One entry per innermost module call: its path, class, tensors read, input shape and site."""
    calls: dict[str, dict] = {}
    for node in model.graph.nodes:
        stack = node.meta.get("nn_module_stack") or {}
        if node.op != "call_function" or not stack:
            continue
        key, (path, class_path) = list(stack.items())[-1]
        call = calls.setdefault(key, {"path": _INDEX.sub(r"[\1]", str(path)),
                                      "class": str(class_path).rpartition(".")[2],
                                      "tensors": set(), "shape": None, "site": None})
        for argument in node.args:
            if getattr(argument, "op", None) == "get_attr":
                tensor = _tensor(model, argument.target)
                if tensor is not None:
                    call["tensors"].add(id(tensor))
        if call["shape"] is None and node.args and hasattr(node.args[0], "meta"):
            value = node.args[0].meta.get("val")
            call["shape"] = tuple(int(d) for d in value.shape) if hasattr(value, "shape") else None
            call["site"] = _site(node)
    return calls


def _traits(class_name: str, reads_buffers: bool) -> tuple[LayerTraits, bool]:
    traits = catalog.lookup("torch", class_name)
    if traits is not None:
        return traits, True
    category = catalog.RUNNING_STATISTICS if reads_buffers else catalog.WEIGHTS_FIRST_CALL
    return LayerTraits(framework="torch", name=class_name, category=category, weights=True,
                       statistics=reads_buffers, source="inferred"), False


def judge_exported(model: Any) -> list[Diagnostic]:
    """The reuse findings of an exported module, from the tensors its module calls share."""
    calls = [c for c in _module_calls(model).values() if c["tensors"]]
    buffers = {id(b) for b in model.buffers()}
    groups: list[list[dict]] = []
    for call in calls:
        group = next((g for g in groups if g[0]["class"] == call["class"]
                      and any(c["tensors"] & call["tensors"] for c in g)), None)
        if group is None:
            groups.append([call])
        else:
            group.append(call)
    diagnostics = []
    for seq, group in enumerate(g for g in groups if len(g) > 1):
        paths = list(dict.fromkeys(c["path"] for c in group))
        traits, known = _traits(group[0]["class"], any(c["tensors"] & buffers for c in group))
        inst = LayerInstance(obj=None, class_name=group[0]["class"], framework="torch", path=paths[0],
                             name=None, traits=traits, from_catalog=known, aliases=paths[1:])
        for index, call in enumerate(group):
            record = CallRecord(obj=None, framework="torch", parent=None, seq=seq * 10000 + index,
                                shapes=(call["shape"],), dtypes=("?",), training=None, frame=None)
            record._span = call["site"] or judge.UNKNOWN_SPAN
            inst.calls.append(record)
        inst.feature_axis = judge._feature_axis(inst)
        diagnostic = judge._verdict(inst, inst.calls, lambda obj: None)
        if diagnostic is not None:
            diagnostics.append(diagnostic)
    return diagnostics
