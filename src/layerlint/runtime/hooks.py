"""Framework hooks: see every layer call made in the current thread while a recorder is active.

* Keras 3 and tf_keras: `Layer.__call__` is replaced at the class level (every subclass that does
  not override it, and every one that calls `super().__call__`) while at least one recorder is
  active in any thread, and put back when the last one ends.
* PyTorch: one global forward pre-hook and one global forward hook (`always_call=True`, so it also
  runs when `forward` raises), registered and removed the same way. They also note which call
  produced each input tensor (data flow for the HTML report), by `id()` checked with a weak
  reference, so no tensor is kept alive; and TorchDynamo is told not to compile them.

Installation is reference counted under a lock, so nested and concurrent traces share one hook.
What each hook records goes to the recorders of the calling thread only (a thread-local stack),
so a trace in one thread never sees the calls of another.

Symbolic calls (Keras functional-model construction, the symbolic build pass Keras 3 runs on the
first call of a subclassed model) are not recorded: they are not calls of the forward pass. But
while a model is built under a recorder or `recording_builds()`, each functional node keeps the
line of the builder that applied the layer (`x = bn(x)`); a later call made by that node in a
forward pass is located there, not at the model's caller.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import sysconfig
import threading
import warnings
import weakref
from typing import Any, Callable, Iterator

from layerlint.frameworks import FRAMEWORKS
from layerlint.runtime.records import CallRecord

_local = threading.local()
_lock = threading.Lock()
_counts: dict[str, int] = {}
_restore: dict[str, Callable[[], None]] = {}
_seq = itertools.count()

# framework -> the module whose presence in sys.modules means the framework is in use
FRAMEWORK_MODULES = {framework.name: framework.layer_base_module for framework in FRAMEWORKS.values()}


# -- thread-local state ------------------------------------------------------------------------
def active_recorders() -> list:
    recorders = getattr(_local, "recorders", None)
    if recorders is None:
        recorders = _local.recorders = []
        _local.calls = []
        _local.produced = {}
    return recorders


def _builds() -> int:
    return getattr(_local, "builds", 0)


# -- user frames -------------------------------------------------------------------------------
_internal_cache: dict[str, bool] = {}
_internal_prefixes: tuple[str, ...] | None = None
_MACHINERY = ("keras", "tf_keras", "tensorflow", "torch", "optree", "tree", "namex", "absl",
              "numpy", "wrapt", "google", "jax", "ml_dtypes", "h5py", "functorch")
_prefixes_seen: tuple = ()  # which of _MACHINERY were imported when the prefixes were computed


def _prefixes() -> tuple[str, ...]:
    global _internal_prefixes
    if _internal_prefixes is None:
        dirs = {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}  # the layerlint package
        for name in _MACHINERY:
            module = sys.modules.get(name)
            path = getattr(module, "__file__", None)
            if path:
                dirs.add(os.path.dirname(os.path.abspath(path)))
        stdlib = sysconfig.get_paths().get("stdlib")
        if stdlib:
            dirs.add(os.path.abspath(stdlib))
        _internal_prefixes = tuple(sorted(d.rstrip(os.sep) + os.sep for d in dirs))
    return _internal_prefixes


def reset_internal_prefixes() -> None:
    """Recomputed after a framework is imported for the first time (not on every trace: the
    answers per file are kept while the same frameworks are imported)."""
    global _internal_prefixes, _prefixes_seen
    seen = tuple(name in sys.modules for name in _MACHINERY)
    if seen == _prefixes_seen and _internal_prefixes is not None:
        return
    _prefixes_seen = seen
    _internal_prefixes = None
    _internal_cache.clear()


_MODEL_ZOOS = (f"{os.sep}applications{os.sep}",)  # keras.applications: model builders, not machinery


def _is_internal(filename: str) -> bool:
    answer = _internal_cache.get(filename)
    if answer is None:
        if filename.startswith("<"):
            # <frozen importlib...>, <string>: framework glue, except code typed in a shell
            answer = filename.startswith("<frozen")
        else:
            path = os.path.abspath(filename)
            answer = path.startswith(_prefixes()) and not any(zoo in path for zoo in _MODEL_ZOOS)
        _internal_cache[filename] = answer
    return answer


UNLOCATED = "<unlocated>"  # marks the producers of a functional call whose builder line is unknown
_GRAPH_RUNNERS = frozenset(("_run_through_graph", "_run_internal_graph"))


def user_frame(depth: int) -> tuple[tuple | None, tuple]:
    """(filename, lineno, code, lasti) of the innermost frame outside the frameworks and
    layerlint, and the producer names when the call comes from a Keras functional graph.

    A call made by a functional node built under `recording_builds()` is located at the builder
    line; one built elsewhere at the model's caller, with `UNLOCATED` as the last producer."""
    frame = sys._getframe(depth + 1)
    graph: tuple = ()
    last = None
    while frame is not None:
        code = frame.f_code
        if not _is_internal(code.co_filename):
            return (code.co_filename, frame.f_lineno, code, frame.f_lasti), graph
        if not graph and code.co_name in _GRAPH_RUNNERS:
            node = frame.f_locals.get("node")
            graph = _graph_inputs(node)
            built_at = getattr(node, BUILD_SITE, None)
            if built_at is not None:
                return built_at, graph
            graph += (UNLOCATED,)
        last = frame
        frame = frame.f_back
    if last is None:
        return None, graph
    return (last.f_code.co_filename, last.f_lineno, last.f_code, last.f_lasti), graph


def _graph_inputs(node: Any) -> tuple:
    try:
        names = []
        for parent in node.parent_nodes:
            op = getattr(parent, "operation", None) or getattr(parent, "layer", None)
            if op is not None:
                names.append(op.name)
        return tuple(names)
    except Exception:
        return ()


# -- tensors -----------------------------------------------------------------------------------
def _dtype_name(dtype: Any) -> str:
    name = getattr(dtype, "name", None)
    if isinstance(name, str):
        return name
    text = str(dtype)
    return text[6:] if text.startswith("torch.") else text


def describe_inputs(args: tuple, kwargs: dict | None = None) -> tuple[tuple, tuple, tuple]:
    """(shapes, dtypes, tensors) of the tensor-like inputs, nested one level, at most 8."""
    return _tensor_inputs(args, kwargs)


def _tensor_inputs(args: tuple, kwargs: dict | None) -> tuple[tuple, tuple, tuple]:
    shapes: list = []
    dtypes: list = []
    tensors: list = []
    values: list = list(args)
    if not values and kwargs:
        values = [v for k, v in kwargs.items() if k not in ("training", "mask")]
    for value in values:
        items = value if isinstance(value, (list, tuple)) else (
            list(value.values()) if isinstance(value, dict) else (value,))
        for item in items:
            shape = getattr(item, "shape", None)
            if shape is None or isinstance(item, type):
                continue
            try:
                dims = tuple(None if d is None else int(d) for d in shape)
            except (TypeError, ValueError):
                dims = None
            tensors.append(item)
            shapes.append(dims)
            dtypes.append(_dtype_name(getattr(item, "dtype", "?")))
            if len(shapes) >= 8:
                return tuple(shapes), tuple(dtypes), tuple(tensors)
    return tuple(shapes), tuple(dtypes), tuple(tensors)


def _record(obj: Any, framework: str, shapes: tuple, dtypes: tuple, training: Any, depth: int) -> CallRecord:
    """A new call of `obj`, located and handed to the thread's recorders (not yet on the stack)."""
    frame, graph = user_frame(depth + 1)
    unlocated = bool(graph) and graph[-1] == UNLOCATED
    if unlocated:
        graph = graph[:-1]
    stack = _local.calls
    record = CallRecord(obj, framework, stack[-1] if stack else None, next(_seq), shapes, dtypes,
                        None if training is None else bool(training), frame, graph, unlocated)
    for recorder in _local.recorders:
        recorder.calls.append(record)
    return record


# -- Keras 3 and tf_keras ----------------------------------------------------------------------
def _keras_classes(framework: str) -> tuple[type, tuple[type, ...], Callable[[dict], Any], Callable[[], bool]]:
    if framework == "keras":
        from keras.src.backend.common import global_state
        from keras.src.backend.common.keras_tensor import KerasTensor
        from keras.src.layers.layer import Layer

        def symbolic_pass() -> bool:
            # Keras 3 builds an unbuilt subclassed model by running `call` on placeholders
            return global_state.get_global_attribute("symbolic_scope") is not None

        def training_of(kwargs: dict) -> Any:
            training = kwargs.get("training")
            if training is None:
                ctx = global_state.get_global_attribute("current_call_ctx")
                training = getattr(ctx, "training", None)
            return training

        return Layer, (KerasTensor,), training_of, symbolic_pass

    from tf_keras.src.engine import base_layer_utils
    from tf_keras.src.engine.base_layer import Layer
    from tf_keras.src.engine.keras_tensor import KerasTensor

    def training_of(kwargs: dict) -> Any:
        training = kwargs.get("training")
        if training is None:
            training = base_layer_utils.call_context().training
        return training if isinstance(training, (bool, type(None))) else None

    return Layer, (KerasTensor,), training_of, lambda: False


def _install_keras(framework: str) -> Callable[[], None]:
    layer_cls, symbolic, training_of, symbolic_pass = _keras_classes(framework)
    original = layer_cls.__dict__["__call__"]

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not getattr(_local, "recorders", None) and not _builds():
            return original(self, *args, **kwargs)
        first = args[0] if args else None
        if isinstance(first, (list, tuple)) and first:
            first = first[0]
        if isinstance(first, dict) and first:
            first = next(iter(first.values()))
        if isinstance(first, symbolic):
            site, _ = user_frame(1)
            outputs = original(self, *args, **kwargs)
            _mark_build_site(outputs, site)
            return outputs
        if symbolic_pass() or not getattr(_local, "recorders", None):
            return original(self, *args, **kwargs)
        shapes, dtypes, _ = describe_inputs(args, kwargs)
        record = _record(self, framework, shapes, dtypes, training_of(kwargs), 1)
        stack = _local.calls
        stack.append(record)
        try:
            return original(self, *args, **kwargs)
        except BaseException as exc:
            record.error = exc
            raise
        finally:
            record.finished = True
            if stack and stack[-1] is record:
                stack.pop()
            elif record in stack:
                stack.remove(record)

    __call__.__wrapped__ = original  # type: ignore[attr-defined]
    __call__.__layerlint__ = True  # type: ignore[attr-defined]
    __call__.__doc__ = original.__doc__
    layer_cls.__call__ = __call__

    def restore() -> None:
        layer_cls.__call__ = original

    return restore


BUILD_SITE = "_layerlint_build_site"


def _mark_build_site(outputs: Any, site: tuple | None) -> None:
    """Keep on the functional node that `outputs` came from the builder line that made it."""
    if site is None:
        return
    tensor = outputs
    while isinstance(tensor, (list, tuple)) and tensor:
        tensor = tensor[0]
    if isinstance(tensor, dict) and tensor:
        tensor = next(iter(tensor.values()))
    history = getattr(tensor, "_keras_history", None)
    try:
        operation, node_index = history[0], history[1]
        setattr(operation._inbound_nodes[node_index], BUILD_SITE, site)
    except Exception:  # not a functional output (a layer called inside a subclassed build)
        pass


@contextlib.contextmanager
def recording_builds(frameworks: list[str] | None = None) -> Iterator[None]:
    """While the block runs, each Keras functional node keeps the builder line that made it."""
    chosen = [fw for fw in (frameworks or frameworks_in_use()) if fw != "torch"]
    install(chosen)
    _local.builds = _builds() + 1
    try:
        yield
    finally:
        _local.builds = _builds() - 1
        uninstall(chosen)


# -- PyTorch -----------------------------------------------------------------------------------
# Data flow: the output tensors of each call, by `id()`, with a weak reference that tells a live
# tensor from a later one at the same address. Nothing here keeps a tensor alive, and the table is
# emptied when the outermost call of a pass returns (a pass's tensors are not inputs of the next).
def _produced() -> dict[int, tuple[Any, CallRecord]]:
    produced = getattr(_local, "produced", None)
    if produced is None:
        produced = _local.produced = {}
    return produced


def _inside(inner: CallRecord | None, outer: CallRecord) -> bool:
    while inner is not None:
        if inner is outer:
            return True
        inner = inner.parent
    return False


def _mark_outputs(record: CallRecord, output: Any, tensor_type: type) -> None:
    """Note `record` as the producer of its output tensors, unless a call inside it made them (a
    block returns its last layer's output: that layer is the producer). An in-place layer returns
    its input: it becomes the producer, the later writer."""
    items = output if isinstance(output, (list, tuple)) else (
        list(output.values()) if isinstance(output, dict) else (output,))
    produced = _produced()
    for item in items[:8]:
        if not isinstance(item, tensor_type):
            continue
        entry = produced.get(id(item))
        if entry is not None and entry[0]() is item and _inside(entry[1].parent, record):
            continue
        try:
            produced[id(item)] = (weakref.ref(item), record)
        except TypeError:  # a tensor type without weak references: no edge rather than a kept tensor
            pass


_DTYPE_NAMES: dict[Any, str] = {}


def _torch_dtype(dtype: Any) -> str:
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = _dtype_name(dtype)
    return name


_NO_SOURCE = (None,)


def _one_shape(table: dict, size: Any) -> tuple:
    if len(table) > 4096:  # a model fed ever new sizes: start again rather than grow
        table.clear()
    shapes = table[size] = (tuple(size),)
    return shapes


def _one_dtype(table: dict, dtype: Any) -> tuple:
    names = table[dtype] = (_torch_dtype(dtype),)
    return names


def _finish(stack: list, module: Any) -> CallRecord | None:
    """Pop the open call of `module` (the top of the stack, unless a call inside it was left open)."""
    if stack:
        top = stack[-1]
        if top.obj is module and not top.finished:
            stack.pop()
            return top
    for index in range(len(stack) - 1, -1, -1):
        record = stack[index]
        if record.obj is module and not record.finished:
            del stack[index:]
            return record
    return None


def _keep_out_of_dynamo() -> None:
    """Have TorchDynamo run layerlint's code as it is, never compile it. A compiled model called in
    a trace calls the hooks from compiled code; Dynamo would otherwise compile each hook as a frame of
    its own, guarded on the module's class, and recompile it for every class until its recompile
    limit warned ("Recompiling function pre_hook", "hit config.recompile_limit"). Skipping the
    package costs nothing per call (`torch.compiler.disable` on the hooks would cost about 1.4 us
    per call in eager mode). Only done when Dynamo is already imported: importing it is slow."""
    dynamo = sys.modules.get("torch._dynamo")
    if dynamo is None or getattr(_keep_out_of_dynamo, "done", False):
        return
    try:
        from torch._dynamo import trace_rules

        trace_rules.add(__name__.split(".")[0])
        _keep_out_of_dynamo.done = True  # type: ignore[attr-defined]
    except Exception:  # a torch without this (private) registry: the hooks may be compiled, and warn
        pass


def _install_torch() -> Callable[[], None]:
    import torch
    from torch.nn.modules import module as torch_module

    tensor_type = torch.Tensor
    skip: tuple[type, ...] = ()
    keras_layer = sys.modules.get("keras.src.layers.layer")
    if keras_layer is not None:
        skip = (keras_layer.Layer,)  # Keras layers on the torch backend are nn.Modules too
    dynamo = sys.modules.get("torch._dynamo")
    compiled = getattr(getattr(dynamo, "eval_frame", None), "OptimizedModule", None)
    if compiled is not None:
        skip += (compiled,)  # torch.compile's wrapper: not a layer; the module inside it is

    internal = _internal_cache  # cleared, never replaced, when the prefixes change
    one_shape: dict = {}  # torch.Size -> ((dims...),), the `shapes` of a call on one tensor
    one_dtype: dict = {}  # torch.dtype -> (name,)
    getframe = sys._getframe

    def pre_hook(module: Any, args: tuple) -> None:
        # runs for every module call: `_record` and `user_frame` written out inline, one plain tensor
        # without the general input walk, and the producer of each input tensor (see `_produced`)
        recorders = getattr(_local, "recorders", None)
        if not recorders or (skip and isinstance(module, skip)):
            return None
        produced = _local.produced
        if len(args) == 1 and type(args[0]) is tensor_type:
            tensor = args[0]
            size = tensor.shape
            shapes = one_shape.get(size)  # shared tuples: fewer objects for the collector to count
            if shapes is None:
                shapes = _one_shape(one_shape, size)
            dtypes = one_dtype.get(tensor.dtype) or _one_dtype(one_dtype, tensor.dtype)
            entry = produced.get(id(tensor))
            sources: tuple = (entry[1],) if entry is not None and entry[0]() is tensor else _NO_SOURCE
        else:
            shapes, dtypes, tensors = _tensor_inputs(args, None)
            sources = tuple(entry[1] if entry is not None and entry[0]() is item else None
                            for item, entry in zip(tensors, map(produced.get, map(id, tensors))))
        frame = getframe(1)
        while True:  # `user_frame`, for the usual case: no functional graph on the way
            code = frame.f_code
            answer = internal.get(code.co_filename)
            if answer is None:
                answer = _is_internal(code.co_filename)
            if not answer:
                site, graph, unlocated = (code.co_filename, frame.f_lineno, code, frame.f_lasti), (), False
                break
            back = frame.f_back
            if back is None or code.co_name in _GRAPH_RUNNERS:  # no user frame, or a graph: the general walk
                site, graph = user_frame(1)
                unlocated = bool(graph) and graph[-1] == UNLOCATED
                if unlocated:
                    graph = graph[:-1]
                break
            frame = back
        stack = _local.calls
        record = CallRecord(module, "torch", stack[-1] if stack else None, next(_seq), shapes, dtypes,
                            bool(module.training), site, graph, unlocated, None, sources)
        for recorder in recorders:
            recorder.calls.append(record)
        stack.append(record)
        return None

    def post_hook(module: Any, args: tuple, output: Any) -> None:
        if not getattr(_local, "recorders", None):
            return None
        stack = _local.calls
        if stack and stack[-1].obj is module and not stack[-1].finished:  # `_finish`, the usual case
            record = stack.pop()
        else:
            record = _finish(stack, module)
            if record is None:
                return None
        record.finished = True
        exc = sys.exc_info()[1]  # set when forward raised (always_call hooks run in except)
        if exc is not None:
            record.error = exc
        if not stack:  # the pass is over: its tensors are not inputs of the next one
            _local.produced.clear()
        elif exc is not None:
            pass
        elif type(output) is tensor_type:  # `_mark_outputs` of one tensor, the usual case
            produced = _local.produced
            entry = produced.get(id(output))
            if entry is None or entry[0]() is not output or not _inside(entry[1].parent, record):
                produced[id(output)] = (weakref.ref(output), record)
        else:
            _mark_outputs(record, output, tensor_type)
        return None

    _keep_out_of_dynamo()
    pre = torch_module.register_module_forward_pre_hook(pre_hook)
    post = torch_module.register_module_forward_hook(post_hook, always_call=True)
    quiet = _quiet_about_global_hooks()

    def restore() -> None:
        pre.remove()
        post.remove()
        quiet()

    return restore


# PyTorch warns at every call of a `torch.compile`d module while any global module hook is installed;
# here the hooks are this trace's, and it runs compiled code eagerly to record it (`coverage.py`).
_GLOBAL_HOOKS_WARNING = r"Using `torch\.compile\(module\)` when there are global hooks on modules"


def _quiet_about_global_hooks() -> Callable[[], None]:
    """Silences PyTorch's warning about global hooks while they are layerlint's, and gives back the
    function that removes exactly that filter (the user's own filters stay as they were)."""
    warnings.filterwarnings("ignore", message=_GLOBAL_HOOKS_WARNING, category=UserWarning)
    entry = warnings.filters[0]

    def remove() -> None:
        with contextlib.suppress(ValueError):
            warnings.filters.remove(entry)

    return remove


# -- installation ------------------------------------------------------------------------------
def frameworks_in_use() -> list[str]:
    return [fw for fw, module in FRAMEWORK_MODULES.items() if module in sys.modules]


def install(frameworks: list[str]) -> None:
    with _lock:
        for framework in frameworks:
            if _counts.get(framework, 0) == 0:
                reset_internal_prefixes()
                _restore[framework] = (_install_torch() if framework == "torch"
                                       else _install_keras(framework))
            _counts[framework] = _counts.get(framework, 0) + 1


def uninstall(frameworks: list[str]) -> None:
    with _lock:
        for framework in frameworks:
            count = _counts.get(framework, 0) - 1
            if count <= 0:
                _counts.pop(framework, None)
                restore = _restore.pop(framework, None)
                if restore is not None:
                    restore()
            else:
                _counts[framework] = count


def installed() -> dict[str, int]:
    """Frameworks whose hooks are installed right now, with their reference counts."""
    with _lock:
        return dict(_counts)


def activate(recorder: Any) -> None:
    install(recorder.frameworks)
    active_recorders().append(recorder)


def deactivate(recorder: Any) -> None:
    try:
        recorders = active_recorders()
        for index in range(len(recorders) - 1, -1, -1):
            if recorders[index] is recorder:
                del recorders[index]
                break
        if not recorders:
            _local.calls.clear()
            _produced().clear()
    finally:
        uninstall(recorder.frameworks)
