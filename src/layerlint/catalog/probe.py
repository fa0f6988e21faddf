"""`layerlint probe`: measure how reusable each layer class of the installed framework is.

For each public layer class the probe builds ONE instance with minimal constructor arguments
(`probe_specs.py`), calls it on a first input and then on inputs that differ in the feature size,
in the spatial/time size, in rank and in batch size, and on the first shape again. It records the
state (trainable weights, non-trainable statistics, random-generator state, other tensors held by
the layer) before and after the first call, whether the same-shape call reused it, whether a
training-mode call changes non-trainable state (statistics), and which input properties the first
call pinned. A failed variation counts as caused by reuse only when a fresh instance built from
the same specification accepts the same input (the control). Verdicts never compare outputs
between calls, so a layer with random output cannot be misjudged by them.

The result is a catalog document, the format of `catalog/data/<framework>.json`.
"""

from __future__ import annotations

import abc
import argparse
import datetime as _dt
import importlib
import inspect
import itertools
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from layerlint._version import __version__
from layerlint.report.progress import Progress

from . import (COMPOSITE, DATA_DIR, FRAMEWORKS, PINS_RANK, RANDOM_STATE, RUNNING_STATISTICS,
               STATELESS, WEIGHTS_CONSTRUCTOR, WEIGHTS_FIRST_CALL)
from . import probe_specs, verdict
from layerlint.i18n import N_, translate

# Classes the rules rely on: the shipped catalog must describe every one of them.
REQUIRED_BY_RULES: dict[str, list[str]] = {
    "keras": ["BatchNormalization", "Conv2D", "Dense", "LayerNormalization", "MaxPool2D",
              "MaxPooling2D", "Flatten", "ReLU", "Dropout", "GroupNormalization", "Embedding",
              "LSTM", "GRU", "Conv1D"],
    "tf_keras": ["BatchNormalization", "Conv2D", "Dense", "LayerNormalization", "MaxPool2D",
                 "MaxPooling2D", "Flatten", "ReLU", "Dropout", "Embedding", "LSTM"],
    "torch": ["BatchNorm1d", "BatchNorm2d", "Conv2d", "Linear", "ReLU", "MaxPool2d", "LazyLinear",
              "LayerNorm", "Dropout", "InstanceNorm2d", "GroupNorm", "Embedding", "LSTM"],
}

INSTALL_HINT = {
    "keras": "pip install tensorflow-cpu==2.21.0",
    "tf_keras": "pip install tf_keras==2.21.0",
    "torch": "pip install torch==2.13.0",
}

CHECKER_FIELDS = ("category", "weights", "statistics", "normalizes", "random_state", "sizing",
                  "pins", "reuse_error")

# Sizes of each layout letter: (first call, variation). Distinctive feature sizes (11 -> 13) make
# the reuse-error template unambiguous.
#   B batch, F feature (channels), S spatial, T time steps, R spatial of RGB images, L audio samples
SIZES = {"B": (2, 3), "F": (11, 13), "S": (4, 6), "T": (3, 5), "R": (8, 10), "L": (32, 40)}
SPATIAL = "STRL"

KERAS_LAYOUTS = {
    "vec": "BF", "seq": "BSF", "img": "BSSF", "vol": "BSSSF", "rgb": "BRRF",
    "tseq1": "BTSF", "tseq2": "BTSSF", "tseq3": "BTSSSF",
    "ints": ("BS", "int"), "ints1": ("B", "int"), "strings": ("BS", "str"), "text": ("B", "text"),
    "audio": "BL", "audio3": "BLF",
}
TORCH_LAYOUTS = {
    "vec": "BF", "seq": "BFS", "img": "BFSS", "vol": "BFSSS", "tseq": "TBF",
    "ints": ("BS", "int"),
}


class ProbeError(Exception):
    """A failure reported to the user as one line (exit status 2)."""


# ---------------------------------------------------------------------------------------------
# Inputs


def _layout(layouts: dict, kind: str) -> tuple[str, str]:
    value = layouts[kind]
    return value if isinstance(value, tuple) else (value, "float")


def _rank_up(letters: str) -> str:
    # channels-last (ends with F): a new spatial axis before the features; otherwise appended.
    return letters[:-1] + "S" + letters[-1] if letters.endswith("F") and len(letters) > 1 else letters + "S"


def _rank_down(letters: str) -> str | None:
    for i, letter in enumerate(letters):
        if letter in SPATIAL:
            return letters[:i] + letters[i + 1:]
    return None


def _variations(letters: str) -> list[tuple[str, str, dict]]:
    """(variation name, letters, which letters take their second size)."""
    out = [("first", letters, {})]
    if "F" in letters:
        out.append(("feature", letters, {"F": 1}))
    if any(c in letters for c in SPATIAL):
        out.append(("spatial", letters, {c: 1 for c in SPATIAL}))
    out.append(("rank+1", _rank_up(letters), {}))
    down = _rank_down(letters)
    if down and len(down) >= 1:
        out.append(("rank-1", down, {}))
    if "B" in letters:
        out.append(("batch", letters, {"B": 1}))
    out.append(("same", letters, {}))
    return out


class _Inputs:
    def __init__(self, np_module, features: tuple[int, int] | None):
        self.np = np_module
        self.rng = np_module.random.default_rng(0)
        self.sizes = dict(SIZES)
        if features:
            self.sizes["F"] = tuple(features)

    def shape(self, letters: str, second: dict) -> tuple[int, ...]:
        return tuple(self.sizes[c][second.get(c, 0)] for c in letters)

    def make(self, shape: tuple[int, ...], dtype: str, shift: float = 0.0, scale: float = 1.0):
        np = self.np
        if dtype == "int":
            return self.rng.integers(0, 4, size=shape).astype("int64")
        if dtype == "str":
            return np.array(self.rng.choice(["a", "b", "c"], size=shape), dtype=object).astype(str)
        if dtype == "text":
            return np.array(self.rng.choice(["a b", "b c", "a"], size=shape)).astype(str)
        data = self.rng.standard_normal(shape).astype("float32")
        return (shift + scale * data).astype("float32")


# ---------------------------------------------------------------------------------------------
# Framework adapters


class _Adapter(abc.ABC):
    """What the probe needs of one framework: its public layer classes, inputs, calls and state."""

    name = ""
    layouts: dict = {}
    specs: dict = {}
    unprobed: dict = {}
    module_label = ""

    @abc.abstractmethod
    def public_classes(self) -> dict[str, type]:
        """Public name -> class of every layer class the framework exports."""

    def first_call_fallbacks(self, name: str) -> list[str]:
        for tag, kind in (("1D", "seq"), ("2D", "img"), ("3D", "vol"),
                          ("1d", "seq"), ("2d", "img"), ("3d", "vol")):
            if tag in name:
                return [kind]
        return ["img", "seq", "vec", "vol"]


class _KerasAdapter(_Adapter):
    name = "keras"
    module_label = "keras.layers"
    layouts = KERAS_LAYOUTS

    def __init__(self):
        import numpy

        self.np = numpy
        self.k = importlib.import_module("keras")
        self.layers = self.k.layers
        self.specs = probe_specs.KERAS_SPECS
        self.unprobed = probe_specs.KERAS_UNPROBED

    def versions(self) -> dict[str, str]:
        backend = self.k.backend.backend()
        versions = {"keras": self.k.__version__, "backend": backend}
        try:
            versions[backend] = importlib.import_module(backend).__version__.split("+")[0]
        except Exception:  # pragma: no cover - unusual backend packaging
            pass
        return versions

    def public_classes(self) -> dict[str, type]:
        base = self.layers.Layer
        return {n: c for n, c in vars(self.layers).items()
                if not n.startswith("_") and inspect.isclass(c) and issubclass(c, base)}

    def prepare(self, array):
        return array

    def construct(self, cls, kwargs):
        return cls(**kwargs)

    def call(self, layer, inputs, style, training=None):
        kw = {} if training is None else {"training": training}
        if style == "list2":
            return layer(list(inputs[:2]), **kw)
        if style in ("args2", "args3"):
            return layer(*inputs[: int(style[-1])], **kw)
        if style == "cell":
            batch = int(inputs[0].shape[0])
            states = self.initial_state(layer, batch)
            return layer(inputs[0], states, **kw)
        return layer(inputs[0], **kw)

    def initial_state(self, cell, batch):
        return cell.get_initial_state(batch_size=batch)

    def sublayers(self, layer):
        try:
            return list(layer._flatten_layers(include_self=True))
        except Exception:
            return [layer]

    def random_generators(self, layer) -> list:
        found = []
        for sub in self.sublayers(layer):
            found.extend(getattr(sub, "_seed_generators", []) or [])
        return found

    def rng_state_ids(self, layer) -> set[int]:
        return {id(g.state) for g in self.random_generators(layer) if getattr(g, "state", None) is not None}

    def variables(self, layer) -> list[tuple[str, Any, bool]]:
        return [(getattr(v, "path", v.name), v, bool(v.trainable)) for v in layer.variables]

    def value(self, var):
        return self.np.array(self.k.ops.convert_to_numpy(var))

    def shape(self, var):
        return list(var.shape)

    def to_numpy(self, output):
        while isinstance(output, (list, tuple, dict)):
            if not output:
                return None
            output = list(output.values())[0] if isinstance(output, dict) else output[0]
        try:
            return self.np.asarray(self.k.ops.convert_to_numpy(output))
        except Exception:
            return None

    def is_tensor(self, value) -> bool:
        return self.k.ops.is_tensor(value) or isinstance(value, (self.k.Variable, self.np.ndarray))

    def name_of(self, layer) -> str | None:
        return getattr(layer, "name", None)


class _TFKerasAdapter(_KerasAdapter):
    name = "tf_keras"
    module_label = "tf_keras.layers"

    def __init__(self):
        import numpy

        self.np = numpy
        self.k = importlib.import_module("tf_keras")
        self.tf = importlib.import_module("tensorflow")
        self.layers = self.k.layers
        self.specs = probe_specs.KERAS_SPECS
        self.unprobed = probe_specs.KERAS_UNPROBED
        try:
            self._rng_class = importlib.import_module("tf_keras.src.backend").RandomGenerator
        except Exception:  # pragma: no cover
            self._rng_class = ()

    def versions(self) -> dict[str, str]:
        return {"tf_keras": self.k.__version__, "tensorflow": self.tf.__version__}

    def initial_state(self, cell, batch):
        return cell.get_initial_state(batch_size=batch, dtype="float32")

    def random_generators(self, layer) -> list:
        found = []
        for sub in self.sublayers(layer):
            for value in vars(sub).values():
                if self._rng_class and isinstance(value, self._rng_class):
                    found.append(value)
        return found

    def rng_state_ids(self, layer) -> set[int]:
        ids = set()
        for gen in self.random_generators(layer):
            inner = getattr(gen, "_generator", None)
            if inner is not None:
                ids.add(id(inner.state))
        return ids

    def variables(self, layer):
        return [(v.name, v, bool(v.trainable)) for v in layer.weights]

    def value(self, var):
        return self.np.array(var.numpy())

    def to_numpy(self, output):
        while isinstance(output, (list, tuple, dict)):
            if not output:
                return None
            output = list(output.values())[0] if isinstance(output, dict) else output[0]
        try:
            return self.np.asarray(output.numpy() if hasattr(output, "numpy") else output)
        except Exception:
            return None

    def is_tensor(self, value) -> bool:
        return isinstance(value, (self.tf.Tensor, self.tf.Variable, self.np.ndarray))


class _TorchAdapter(_Adapter):
    name = "torch"
    module_label = "torch.nn"
    layouts = TORCH_LAYOUTS

    def __init__(self):
        import numpy

        self.np = numpy
        self.torch = importlib.import_module("torch")
        self.nn = self.torch.nn
        self.layers = self.nn
        self.specs = probe_specs.TORCH_SPECS
        self.unprobed = probe_specs.TORCH_UNPROBED
        from torch.nn.parameter import is_lazy

        self._is_lazy = is_lazy

    def versions(self) -> dict[str, str]:
        return {"torch": self.torch.__version__.split("+")[0]}

    def public_classes(self) -> dict[str, type]:
        base = self.nn.Module
        return {n: c for n, c in vars(self.nn).items()
                if not n.startswith("_") and inspect.isclass(c) and issubclass(c, base)}

    def prepare(self, array):
        return self.torch.from_numpy(array)

    def construct(self, cls, kwargs):
        return cls(**kwargs)

    def call(self, module, inputs, style, training=None):
        if training is not None:
            module.train(training)
        with self.torch.no_grad():
            if style in ("args2", "args3", "list2"):
                return module(*inputs[: 3 if style == "args3" else 2])
            return module(inputs[0])

    def random_generators(self, module) -> list:
        return [v for m in module.modules() for v in vars(m).values()
                if isinstance(v, self.torch.Generator)]

    def rng_state_ids(self, module) -> set[int]:
        return set()

    def variables(self, module):
        return ([(n, p, True) for n, p in module.named_parameters()]
                + [(n, b, False) for n, b in module.named_buffers()])

    def value(self, var):
        if self._is_lazy(var):
            return None
        return var.detach().cpu().numpy().copy()

    def shape(self, var):
        return "uninitialized" if self._is_lazy(var) else list(var.shape)

    def to_numpy(self, output):
        while isinstance(output, (list, tuple)):
            if not output:
                return None
            output = output[0]
        if isinstance(output, self.torch.Tensor):
            return output.detach().cpu().numpy()
        return None

    def is_tensor(self, value) -> bool:
        return isinstance(value, self.torch.Tensor)

    def name_of(self, layer) -> str | None:
        return None


def _adapter(framework: str) -> _Adapter:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    package = {"keras": "keras", "tf_keras": "tf_keras", "torch": "torch"}[framework]
    try:
        importlib.import_module(package)
    except ImportError as error:
        if getattr(error, "name", package) in (package, None) or package in str(error):
            raise ProbeError(f"layerlint probe: {package} is not installed; {INSTALL_HINT[framework]}")
        raise ProbeError(f"layerlint probe: cannot import {package}: {error}")
    if framework == "torch":
        adapter = _TorchAdapter()
        adapter.torch.set_num_threads(1)
        adapter.torch.manual_seed(0)
        return adapter
    adapter = _KerasAdapter() if framework == "keras" else _TFKerasAdapter()
    try:
        adapter.k.utils.set_random_seed(0)
    except Exception:
        pass
    return adapter


# ---------------------------------------------------------------------------------------------
# One class


def _error_line(error: BaseException) -> str:
    text = _clean(str(error))
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"{type(error).__name__}: {first}".rstrip(": ").rstrip()


def _error_detail(error: BaseException) -> str | None:
    """The first informative line after Keras's generic 'Exception encountered when calling…'."""
    lines = [line.strip() for line in _clean(str(error)).splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        return lines[1]
    return None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TF_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")


def _clean(text: str) -> str:
    return _TF_NODE.sub("", _ANSI.sub("", text))


def templatize(message: str | None, *, layer: str | None, cls: str, expected: int, received: int,
               received_shape: tuple[int, ...]) -> str | None:
    """Replace the probe's sizes and names in an error message by placeholders.

    Literal braces of the message are doubled, so `template.format(...)` renders it.
    """
    if message is None:
        return None
    text = message.replace("{", "{{").replace("}", "}}")
    if layer:
        text = re.sub(r"(['\"])" + re.escape(layer) + r"\1", r"\1{layer}\1", text)
    shape_forms = [str(tuple(received_shape)), str(list(received_shape)),
                   "torch.Size(%s)" % list(received_shape)]
    for form in sorted(shape_forms, key=len, reverse=True):
        text = text.replace(form, "{received_shape}")
    text = re.sub(r"(?<![\w.])" + re.escape(cls) + r"(?![\w])", "{class}", text)
    text = re.sub(r"\b(axis|dim)( ?=? ?)(-?\d+)\b", r"\1\2{axis}", text)
    if expected != received and min(expected, received) >= 10:
        for size, placeholder in ((received, "{received}"), (expected, "{expected}")):
            # Sizes may touch an "x" as in "2x13 and 11x3" (PyTorch's matmul message).
            text = re.sub(r"(?<![0-9A-Za-wyz_.{])" + str(size) + r"(?![0-9A-Za-wyz_}]|\.\d)", placeholder, text)
    return generalize_probe_sizes(text)


def _elide_numbers(match: re.Match) -> str:
    return re.sub(r"(?<![\w{])\d+(?![\w}])", "\N{HORIZONTAL ELLIPSIS}", match.group(0))


# Parts of a framework's error that describe the probe's own layer (its output size, kernel size,
# batch size), not the user's: a message quoting them would show `weight of size [3, 6, 1, 1]` for a
# user's `Conv2d(6, 16, 3)`. Those numbers become "…"; the sizes layerlint knows stay placeholders.
_PROBE_SIZES = (
    (re.compile(r"weight of size \[[^\]]*\]"), _elide_numbers),
    (re.compile(r"expected shape=\([^)]*\)"), _elide_numbers),
    (re.compile(r"\(\d+x(?=\{received\})"), "(\N{HORIZONTAL ELLIPSIS}x"),
    (re.compile(r"(?<=\{expected\})x\d+\)"), "x\N{HORIZONTAL ELLIPSIS})"),
    (re.compile(r"should contain \d+ elements not \d+"), _elide_numbers),
)


def generalize_probe_sizes(template: str) -> str:
    """A catalog error template without the sizes of the probe's own layer."""
    for pattern, replacement in _PROBE_SIZES:
        template = pattern.sub(replacement, template)
    return template


def _shape_text(shape) -> str:
    return str(tuple(None if d is None else int(d) for d in shape))


def _shape_tuple(text: str) -> tuple:
    return () if text in ("uninitialized", "()") else tuple(text.strip("()").rstrip(",").split(","))


def _resolve_args(spec_args, module, feature: int) -> dict:
    if callable(spec_args):
        return dict(spec_args(module, feature))
    return {k: (feature if v == "$F" else v) for k, v in (spec_args or {}).items()}


class _ClassProbe:
    """Probe one class with one set of constructor arguments."""

    def __init__(self, adapter: _Adapter, name: str, cls: type, spec: dict, extra_args: dict):
        self.a = adapter
        self.name = name
        self.cls = cls
        self.spec = spec
        self.extra = extra_args
        self.style = spec.get("call", "single")

    # -- helpers --------------------------------------------------------------------------
    def build(self, feature: int):
        kwargs = _resolve_args(self.spec.get("args"), self.a.layers, feature)
        kwargs.update(self.extra)
        return self.a.construct(self.cls, kwargs)

    def inputs_for(self, data: _Inputs, letters: str, dtype: str, second: dict, count: int = 3):
        shape = data.shape(letters, second)
        return shape, [self.a.prepare(data.make(shape, dtype)) for _ in range(count)]

    def attempt(self, layer, inputs, training=None):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return True, self.a.call(layer, inputs, self.style, training), None
        except Exception as error:  # noqa: BLE001 - the probe records every failure
            return False, None, error

    def snapshot(self, layer) -> dict:
        rng_ids = self.a.rng_state_ids(layer)
        out = {}
        for key, var, trainable in self.a.variables(layer):
            kind = "rng" if id(var) in rng_ids else ("trainable" if trainable else "non_trainable")
            shape = self.a.shape(var)
            out[key] = {"id": id(var), "kind": kind,
                        "shape": shape if isinstance(shape, str) else _shape_text(shape)}
        return out

    def values(self, layer, kinds=("non_trainable", "rng")) -> dict:
        rng_ids = self.a.rng_state_ids(layer)
        out = {}
        for key, var, trainable in self.a.variables(layer):
            kind = "rng" if id(var) in rng_ids else ("trainable" if trainable else "non_trainable")
            if kind in kinds:
                out[key] = self.a.value(var)
        return out

    def other_state(self, layer) -> dict:
        """Tensors the layer holds outside its variables (e.g. stateful RNN states)."""
        tracked = {id(var) for _, var, _ in self.a.variables(layer)}
        found = {}
        subs = self.a.sublayers(layer) if hasattr(self.a, "sublayers") else list(layer.modules())
        for index, sub in enumerate(subs):
            for attr, value in vars(sub).items():
                if attr in ("_parameters", "_buffers"):
                    continue
                sequence = isinstance(value, (list, tuple)) or type(value).__name__ in (
                    "ListWrapper", "_TupleWrapper")
                items = list(value) if sequence else [value]
                tensors = [v for v in items if self.a.is_tensor(v) and id(v) not in tracked
                           and len(getattr(v, "shape", ())) > 0]  # scalars are settings
                if tensors and len(tensors) == len(items):
                    label = attr if index == 0 else f"{type(sub).__name__}.{attr}"
                    found[label] = [_shape_text(getattr(t, "shape", ())) for t in tensors]
        return found

    def _differ(self, first, second) -> bool:
        one, two = self.a.to_numpy(first), self.a.to_numpy(second)
        if one is None or two is None:
            return False
        return one.shape != two.shape or not self.a.np.array_equal(one, two)

    @staticmethod
    def _describe(snapshot: dict) -> dict:
        return {key: f"{info['kind']} {info['shape']}" for key, info in snapshot.items()}

    def _changed(self, before: dict, after: dict) -> list[str]:
        np = self.a.np
        changed = []
        for key, old in before.items():
            new = after.get(key)
            if old is None or new is None:
                if (old is None) != (new is None):
                    changed.append(key)
                continue
            if old.shape != new.shape or not np.array_equal(old, new):
                changed.append(key)
        return changed

    def _normalized(self, array) -> list[str]:
        """Axis sets along which the output is standardized (mean 0, variance 1) or unit-RMS."""
        np = self.a.np
        if array is None or array.dtype.kind != "f" or array.ndim < 1 or array.size < 8:
            return []
        found = []
        for count in range(1, array.ndim + 1):
            for axes in itertools.combinations(range(array.ndim), count):
                size = int(np.prod([array.shape[i] for i in axes]))
                if size < 4:
                    continue
                mean = array.mean(axis=axes)
                var = array.var(axis=axes)
                square = (array ** 2).mean(axis=axes)
                if np.all(np.abs(mean) < 0.05) and np.all(np.abs(var - 1) < 0.1):
                    found.append(f"standardized over axes {list(axes)}")
                elif np.all(np.abs(square - 1) < 0.05):
                    found.append(f"unit RMS over axes {list(axes)}")
        return found

    # -- the probe ------------------------------------------------------------------------
    def run(self) -> tuple[dict | None, str | None]:
        a = self.a
        kinds = [self.spec["input"]] if "input" in self.spec else a.first_call_fallbacks(self.name)
        first_failure = None
        for kind in kinds:
            letters, dtype = _layout(a.layouts, kind)
            data = _Inputs(a.np, self.spec.get("features"))
            feature = data.sizes["F"][0]
            try:
                layer = self.build(feature)
            except Exception as error:  # noqa: BLE001
                return None, f"constructor failed: {_error_line(error)}"
            before = self.snapshot(layer)
            before_values = self.values(layer, ("trainable", "non_trainable", "rng"))
            shape, inputs = self.inputs_for(data, letters, dtype, {})
            ok, output, error = self.attempt(layer, inputs)
            if ok:
                return self._measure(layer, kind, letters, dtype, data, before, before_values,
                                     shape, output), None
            first_failure = first_failure or f"first call on {kind} {list(shape)} failed: {_error_line(error)}"
        return None, first_failure

    def _measure(self, layer, kind, letters, dtype, data, before, before_values, first_shape,
                 first_output) -> dict:
        a = self.a
        after_first = self.snapshot(layer)
        other_before = self.other_state(layer)
        evidence: dict[str, Any] = {
            "arguments": {k: repr(v) for k, v in
                          _resolve_args(self.spec.get("args"), a.layers, data.sizes["F"][0]).items()},
            "input_layout": kind,
            "call": self.style,
            "state_before_first_call": self._describe(before),
            "state_after_first_call": self._describe(after_first),
        }
        if self.extra:
            evidence["arguments"].update({k: repr(v) for k, v in self.extra.items()})
        feature_error = None
        pins: set[str] = set()
        pins_other: set[str] = set()
        variations = {}
        reused = None
        new_state_on = []
        for vname, vletters, second in _variations(letters)[1:]:
            shape, inputs = self.inputs_for(data, vletters, dtype, second)
            count_before = self.snapshot(layer)
            ok, _, error = self.attempt(layer, inputs)
            record: dict[str, Any] = {"input": _shape_text(shape), "outcome": "ok" if ok else _error_line(error)}
            count_after = self.snapshot(layer)
            if ok and set(count_after) != set(count_before):
                new_state_on.append(vname)
                record["new_state"] = sorted(set(count_after) - set(count_before))
            if vname == "same":
                reused = ok and {k: v["id"] for k, v in count_after.items()} == \
                    {k: v["id"] for k, v in after_first.items()}
                record["reused_state"] = reused
            if not ok:
                detail = _error_detail(error)
                if detail:
                    record["detail"] = detail
                control_feature = shape[vletters.index("F")] if "F" in vletters else data.sizes["F"][0]
                try:
                    fresh = self.build(control_feature)
                    c_ok, _, c_error = self.attempt(fresh, inputs)
                    record["control"] = "ok" if c_ok else _error_line(c_error)
                except Exception as c_build_error:  # noqa: BLE001
                    c_ok = False
                    record["control"] = f"constructor failed: {_error_line(c_build_error)}"
                record["caused_by_reuse"] = c_ok
                if c_ok:
                    if vname == "feature":
                        pins.add("feature")
                        feature_error = (error, shape)
                    elif vname.startswith("rank"):
                        pins.add("rank")
                    else:
                        pins_other.add(vname)
            variations[vname] = record
        evidence["first_call"] = {"input": _shape_text(first_shape), "outcome": "ok"}
        evidence["variations"] = variations
        if new_state_on:
            evidence["new_state_created_by"] = new_state_on

        # Training-mode calls: statistics, random-generator state, normalization, random output.
        train_shape = data.shape(letters, {})
        stats_before = self.values(layer)
        x1 = [a.prepare(data.make(train_shape, dtype, shift=3.0, scale=5.0)) for _ in range(3)]
        ok1, out1, err1 = self.attempt(layer, x1, training=True)
        stats_after = self.values(layer)
        changed = self._changed(stats_before, stats_after)
        final = self.snapshot(layer)
        rng_changed = [k for k in changed if final.get(k, {}).get("kind") == "rng"]
        stat_changed = [k for k in changed if final.get(k, {}).get("kind") == "non_trainable"]
        ok2, out2, _ = self.attempt(layer, x1, training=True)
        x2 = [a.prepare(data.make(train_shape, dtype, shift=-1.0, scale=0.2)) for _ in range(3)]
        ok3, out3, _ = self.attempt(layer, x2, training=True)
        norm1 = self._normalized(a.to_numpy(out1)) if ok1 else []
        norm2 = self._normalized(a.to_numpy(out3)) if ok3 else []
        normalized = sorted(set(norm1) & set(norm2))
        # Output carried over between calls (stateful RNNs): two inference calls on one input
        # differ. Random layers are deterministic in inference, so this separates the two.
        x0 = [a.prepare(data.make(train_shape, dtype)) for _ in range(3)]
        ok4, out4, _ = self.attempt(layer, x0, training=False)
        ok5, out5, _ = self.attempt(layer, x0, training=False)
        carries_state = bool(ok4 and ok5 and self._differ(out4, out5))
        random_output = None
        if ok1 and ok2:
            # A random size (RandomWidth) or a rare draw can repeat: try a few more calls.
            differ = self._differ(out1, out2)
            for _ in range(3):
                if differ:
                    break
                again_ok, again, _ = self.attempt(layer, x1, training=True)
                differ = again_ok and self._differ(out1, again)
            random_output = differ and not carries_state
        generators = a.random_generators(layer)
        evidence["training_call"] = {
            "input": _shape_text(train_shape),
            "outcome": "ok" if ok1 else _error_line(err1),
            "non_trainable_changed": stat_changed,
            "rng_state_changed": rng_changed,
            "output_random": random_output,
            "output_depends_on_earlier_calls": carries_state,
            "output_normalized": normalized,
        }
        if generators:
            evidence["random_generators"] = [type(g).__name__ for g in generators]
        other_after = self.other_state(layer)
        if other_before or other_after:
            evidence["state_outside_variables"] = {"after_first_call": other_before,
                                                   "after_all_calls": other_after}
        evidence["same_shape_call_reused_state"] = reused

        # Verdict.
        trainable_after = [k for k, v in after_first.items() if v["kind"] == "trainable"]
        stateful_before = [k for k, v in before.items() if v["kind"] in ("trainable", "non_trainable")]
        stateful_after = [k for k, v in after_first.items() if v["kind"] in ("trainable", "non_trainable")]
        lazy_before = [k for k, v in before.items() if v["shape"] == "uninitialized"]
        built = bool(stateful_after) and (not stateful_before or bool(lazy_before)
                                          or set(stateful_after) - set(stateful_before) != set())
        evidence["first_call_built_state"] = built
        weights = bool(trainable_after)
        statistics = bool(stat_changed)
        random_state = bool(generators) and (bool(rng_changed) or bool(random_output))
        evidence["carries_state_between_calls"] = carries_state
        # A normalization layer: standardized (or unit-RMS) output for two differently shifted
        # and scaled inputs, and its own state is per-feature vectors at most (a Transformer
        # block also ends in a LayerNorm, but its weight matrices make it no normalization layer).
        state_ranks = [len(_shape_tuple(v["shape"])) for v in after_first.values() if v["kind"] != "rng"]
        normalizes = bool(normalized) and all(rank <= 1 for rank in state_ranks)
        if normalized and not normalizes:
            evidence["training_call"]["not_a_normalization_layer"] = "holds state of rank > 1"
        if not stateful_after:
            sizing = "none"
        elif built:
            sizing = "first-call"
        else:
            sizing = "constructor"
        if self.spec.get("wraps"):
            category = COMPOSITE
        elif statistics:
            category = RUNNING_STATISTICS
        elif weights and sizing == "first-call":
            category = WEIGHTS_FIRST_CALL
        elif weights or stateful_after:
            category = WEIGHTS_CONSTRUCTOR
        elif random_state:
            category = RANDOM_STATE
        elif pins:
            category = PINS_RANK
        else:
            category = STATELESS
        reuse_error = reuse_detail = None
        if feature_error:
            error, shape = feature_error
            sizes = dict(layer=a.name_of(layer), cls=self.name, expected=data.sizes["F"][0],
                         received=data.sizes["F"][1], received_shape=shape)
            reuse_error = templatize(_error_line(error), **sizes)
            reuse_detail = templatize(_error_detail(error), **sizes)
        entry = {
            "category": category,
            "weights": weights,
            "statistics": statistics,
            "normalizes": normalizes,
            "random_state": random_state,
            "sizing": sizing,
            "pins": sorted(pins),
            "reuse_error": reuse_error,
            "carries_state": carries_state,
            "evidence": evidence,
        }
        if reuse_detail:
            entry["reuse_error_detail"] = reuse_detail
        if pins_other:
            entry["pins_other"] = sorted(pins_other)
        return entry


def _probe_class(adapter: _Adapter, name: str, cls: type) -> tuple[dict | None, str | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _probe_class_variants(adapter, name, cls)


def _probe_class_variants(adapter: _Adapter, name: str, cls: type) -> tuple[dict | None, str | None]:
    spec = adapter.specs.get(name, {})
    base, reason = _ClassProbe(adapter, name, cls, spec, {}).run()
    if base is None:
        return None, reason
    variants = []
    for when in sorted(spec.get("variants", ()), key=len):
        result, why = _ClassProbe(adapter, name, cls, spec, dict(when)).run()
        if result is None:
            base["evidence"].setdefault("variants_not_probed", {})[json.dumps(when)] = why
            continue
        if len(when) > 1:
            overrides = {k: result[k] for k in CHECKER_FIELDS}
        else:
            overrides = {k: result[k] for k in CHECKER_FIELDS if result[k] != base[k]}
        if overrides:
            variants.append({"when": dict(when), **overrides})
        base["evidence"].setdefault("variants", {})[json.dumps(when, sort_keys=True)] = {
            k: result[k] for k in CHECKER_FIELDS + ("carries_state",)}
    if variants:
        base["variants"] = variants
    return base, None


# ---------------------------------------------------------------------------------------------
# Whole framework


def _canonical(classes: dict[str, type]) -> dict[str, tuple[type, list[str]]]:
    """Group public names by class object: {canonical name: (class, [aliases])}."""
    by_object: dict[int, list[str]] = {}
    for name, cls in classes.items():
        by_object.setdefault(id(cls), []).append(name)
    out = {}
    for names in by_object.values():
        cls = classes[names[0]]
        canonical = cls.__name__ if cls.__name__ in names else sorted(names)[0]
        out[canonical] = (cls, sorted(n for n in names if n != canonical))
    return out


def _keras_backend_mismatch(backend: str | None) -> bool:
    if not backend:
        return False
    keras = sys.modules.get("keras")
    if keras is not None:
        try:
            return keras.backend.backend() != backend
        except Exception:
            return True
    return os.environ.get("KERAS_BACKEND", "tensorflow") != backend


def _run_in_subprocess(framework: str, classes, backend: str) -> dict:
    env = dict(os.environ, KERAS_BACKEND=backend)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    command = [sys.executable, "-m", "layerlint.catalog.probe", "--framework", framework,
               "--backend", backend, "--format", "json", *(classes or [])]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.startswith("layerlint probe:")]
        raise ProbeError(lines[-1] if lines else
                         f"layerlint probe: the {backend} backend probe failed (exit {done.returncode})")
    return json.loads(done.stdout)


def run_probe(framework: str, classes: list[str] | None = None, backend: str | None = None,
              progress: bool = False) -> dict:
    """Probe the installed framework and return a catalog document."""
    if framework not in FRAMEWORKS:
        raise ProbeError(f"layerlint probe: unknown framework {framework!r} (choose from {', '.join(FRAMEWORKS)})")
    if backend and framework != "keras":
        raise ProbeError("layerlint probe: --backend applies to Keras 3 (--framework keras) only")
    if framework == "keras" and _keras_backend_mismatch(backend):
        if "keras" in sys.modules:
            return _run_in_subprocess(framework, classes, backend)
        os.environ["KERAS_BACKEND"] = backend
    adapter = _adapter(framework)
    public = adapter.public_classes()
    groups = _canonical(public)
    alias_of = {alias: canonical for canonical, (_, aliases) in groups.items() for alias in aliases}
    if classes:
        wanted = []
        for name in classes:
            short = name.rsplit(".", 1)[-1]
            canonical = alias_of.get(short, short)
            if canonical not in groups:
                raise ProbeError(f"layerlint probe: unknown {framework} layer class {name!r} "
                                 f"(not a layer class in {adapter.module_label})")
            if canonical not in wanted:
                wanted.append(canonical)
    else:
        wanted = sorted(groups)
    document: dict[str, Any] = {
        "framework": framework,
        "versions": adapter.versions(),
        "generated_by": f"layerlint probe {__version__} on {_dt.date.today().isoformat()}",
        "classes": {},
        "unprobed": {},
    }
    bar = Progress(f"probing {framework}", enabled=None if progress else False)
    started = time.perf_counter()
    for index, name in enumerate(wanted, 1):
        bar(index - 1, len(wanted))
        cls, aliases = groups[name]
        reason = adapter.unprobed.get(name)
        if reason is None and framework == "torch" and (name.endswith("Loss") or name == "NLLLoss2d"):
            reason = probe_specs.TORCH_LOSS_REASON
        if reason is None and inspect.isabstract(cls):
            reason = "abstract class"
        if reason is None:
            try:
                entry, reason = _probe_class(adapter, name, cls)
            except Exception as error:  # noqa: BLE001 - one class must not stop the probe
                entry, reason = None, f"probe failed: {_error_line(error)}"
        else:
            entry = None
        if entry is None:
            document["unprobed"][name] = reason
            for alias in aliases:
                document["unprobed"][alias] = f"alias of {name}"
            continue
        if aliases:
            entry["aliases"] = aliases
        document["classes"][name] = entry
    bar.close()
    document["probe_seconds"] = round(time.perf_counter() - started, 2)
    return document


def merge_documents(old: dict, new: dict) -> dict:
    """The catalog after probing some classes: new entries replace old ones, the rest is kept."""
    merged = dict(old)
    merged.update({k: new[k] for k in ("framework", "versions", "generated_by")})
    classes = {k: v for k, v in old.get("classes", {}).items() if k not in new["classes"]
               and k not in new.get("unprobed", {})}
    classes.update(new["classes"])
    unprobed = {k: v for k, v in old.get("unprobed", {}).items() if k not in new["classes"]}
    unprobed.update(new.get("unprobed", {}))
    merged["classes"], merged["unprobed"] = classes, unprobed
    merged.pop("probe_seconds", None)
    return merged


# ---------------------------------------------------------------------------------------------
# Rendering


def _row(name: str, entry: dict) -> list[str]:
    def flag(value):
        return "yes" if value else "-"

    pins = ",".join(entry.get("pins", ())) or "-"
    variants = len(entry.get("variants", ()))
    return [name, entry["category"], flag(entry.get("weights")), flag(entry.get("statistics")),
            flag(entry.get("normalizes")), flag(entry.get("random_state")), entry.get("sizing", "none"),
            pins, str(variants) if variants else "-", entry.get("reuse_error") or "-"]


_HEADER = ["class", "category", "weights", "stats", "norm", "rng", "sizing", "pins", "variants",
           "reuse error"]


def category_counts(document: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in document["classes"].values():
        counts[entry["category"]] = counts.get(entry["category"], 0) + 1
    return dict(sorted(counts.items()))


def render(document: dict, fmt: str) -> str:
    """The document as "json", "table" (plain text) or "markdown"."""
    if fmt == "json":
        return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    rows = [_row(name, entry) for name, entry in sorted(document["classes"].items())]
    versions = ", ".join(f"{k} {v}" for k, v in document.get("versions", {}).items())
    counts = ", ".join(f"{k}: {v}" for k, v in category_counts(document).items())
    if fmt == "markdown":
        lines = [f"## {document['framework']} ({versions})", "",
                 f"{len(rows)} classes probed, {len(document.get('unprobed', {}))} not probed. {counts}", "",
                 "| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
        for row in rows:
            cells = [c.replace("|", "\\|") for c in row]
            cells[0] = f"`{cells[0]}`"
            if cells[-1] != "-":
                cells[-1] = f"`{cells[-1]}`"
            lines.append("| " + " | ".join(cells) + " |")
        if document.get("unprobed"):
            lines += ["", "Not probed:", ""]
            lines += [f"- `{k}`: {v}" for k, v in sorted(document["unprobed"].items())]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        rows_cut = [row[:-1] + [row[-1] if len(row[-1]) <= 60 else row[-1][:57] + "..."] for row in rows]
        widths = [max(len(str(r[i])) for r in [_HEADER] + rows_cut) for i in range(len(_HEADER))]
        lines = [f"{document['framework']} ({versions}): {counts}",
                 "  ".join(h.ljust(w) for h, w in zip(_HEADER, widths)).rstrip()]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows_cut]
        if document.get("unprobed"):
            lines.append("not probed:")
            lines += [f"  {k}: {v}" for k, v in sorted(document["unprobed"].items())]
        return "\n".join(lines) + "\n"
    raise ProbeError(f"layerlint probe: unknown format {fmt!r} (table, json or markdown)")


# ---------------------------------------------------------------------------------------------
# explain


_QUALIFIERS = {"keras.layers": "keras", "keras": "keras", "tf.keras.layers": "keras",
               "tensorflow.keras.layers": "keras", "tf_keras.layers": "tf_keras",
               "tf_keras": "tf_keras", "torch.nn": "torch", "nn": "torch", "torch": "torch"}


def _load_document(framework: str) -> dict | None:
    path = DATA_DIR / f"{framework}.json"
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def explain_class(framework: str | None, name: str, details: bool = False, lang: str | None = None) -> str | None:
    """A class's verdict from the shipped catalog, or None if the class is unknown.

    The verdict comes first, in three lines (what it holds, what reuse does, what to do); the
    probe's evidence only with `details` (`layerlint explain --details CLASS`). `name` may be
    qualified (`torch.nn.BatchNorm2d`, `keras.layers.Dense`); unqualified, every framework that has
    the class answers. `lang` translates the verdict, not the evidence."""
    if "." in name:
        prefix, name = name.rsplit(".", 1)
        framework = _QUALIFIERS.get(prefix, framework)
    frameworks = [framework] if framework else list(FRAMEWORKS)
    parts = []
    for fw in frameworks:
        document = _load_document(fw)
        if not document:
            continue
        classes = document["classes"]
        canonical = name if name in classes else next(
            (k for k, v in classes.items() if name in v.get("aliases", ())), None)
        if canonical is None:
            if name in document.get("unprobed", {}):
                parts.append(f"{fw}: {name} was not probed: {document['unprobed'][name]}")
            continue
        parts.append(_explain_entry(fw, document, canonical, name, details, lang))
    return "\n\n".join(parts) if parts else None


_CATEGORY_TEXT = {
    STATELESS: "no state and no input constraint: one instance can be reused anywhere",
    PINS_RANK: "no state, but the first call fixes an input property a later call must match",
    RANDOM_STATE: "only random-generator state: reuse shares the generator (safe, not independent)",
    WEIGHTS_FIRST_CALL: "trainable weights sized by the first call: reuse shares them and pins the input",
    WEIGHTS_CONSTRUCTOR: "trainable weights sized by the constructor: reuse shares them",
    RUNNING_STATISTICS: "statistics updated by training calls: reuse mixes the statistics of all call sites",
    COMPOSITE: "wraps other layers: its reusability is that of the wrapped layers",
}
_MODULES = {"keras": "keras.layers", "tf_keras": "tf_keras.layers", "torch": "torch.nn"}


def _explain_entry(framework: str, document: dict, canonical: str, asked: str, details: bool = False,
                   lang: str | None = None) -> str:
    entry = document["classes"][canonical]
    qualified = f"{_MODULES[framework]}.{asked}"
    versions = ", ".join(f"{k} {v}" for k, v in document.get("versions", {}).items())
    title = qualified + (f" (= {canonical})" if asked != canonical else "")
    traits = _catalog_traits(framework, canonical)
    lines = [f"{title}  [{versions}]: {entry['category']}"]
    lines += [f"  {line}" for line in verdict.labelled(traits, lang)]
    note = verdict.sizes_note(traits, lang)
    if note:
        lines.append(f"  {note}")
    lines += [f"  {line}" for line in _variant_lines(framework, canonical, entry, lang)]
    if details:
        lines.append("  " + translate(N_("details (what the probe measured):"), lang))
        lines += _evidence_lines(document, entry, asked)
    else:
        lines.append("  " + translate(N_("details: layerlint explain --details {name}"), lang).format(name=qualified))
    return "\n".join(lines)


def _catalog_traits(framework: str, canonical: str, arguments: dict | None = None):
    from layerlint.catalog import lookup

    return lookup(framework, canonical, arguments)


def _variant_lines(framework: str, canonical: str, entry: dict, lang: str | None) -> list[str]:
    """One line per constructor-argument variant: what the layer holds with those arguments."""
    out = []
    for variant in entry.get("variants", ()):
        when = ", ".join(f"{k}={v!r}" for k, v in variant["when"].items())
        holds = verdict.lines(_catalog_traits(framework, canonical, variant["when"]), lang)[0]
        out.append(translate(N_("with {arguments}: {holds}"), lang).format(arguments=when, holds=holds))
    return out


def _evidence_lines(document: dict, entry: dict, asked: str) -> list[str]:
    """The catalog entry as the probe recorded it: raw, for those who want to check the verdict."""
    lines = [f"    category: {entry['category']} - {_CATEGORY_TEXT.get(entry['category'], '')}",
             f"    weights: {entry.get('weights', False)}  statistics: {entry.get('statistics', False)}  "
             f"normalizes: {entry.get('normalizes', False)}  random state: {entry.get('random_state', False)}",
             f"    sizing: {entry.get('sizing', 'none')}  pins: {', '.join(entry.get('pins', ())) or 'nothing'}"]
    if entry.get("reuse_error"):
        lines.append(f"    reuse error: {entry['reuse_error']}")
    if entry.get("reuse_error_detail"):
        lines.append(f"                 {entry['reuse_error_detail']}")
    for variant in entry.get("variants", ()):
        when = ", ".join(f"{k}={v!r}" for k, v in variant["when"].items())
        changes = ", ".join(f"{k}={v!r}" for k, v in variant.items() if k != "when")
        lines.append(f"    with {when}: {changes}")
    evidence = entry.get("evidence", {})
    if evidence:
        lines.append("    evidence:")
        if "arguments" in evidence:
            args = ", ".join(f"{k}={v}" for k, v in evidence["arguments"].items())
            lines.append(f"      built as {asked}({args}), input layout {evidence.get('input_layout')}")
        first = evidence.get("first_call", {})
        if first:
            lines.append(f"      first call {first.get('input')}: {first.get('outcome')}; "
                         f"state built: {evidence.get('first_call_built_state')}")
        state = evidence.get("state_after_first_call") or {}
        if state:
            lines.append("      state after first call: " + ", ".join(f"{k} {v}" for k, v in state.items()))
        for vname, record in evidence.get("variations", {}).items():
            text = f"      {vname} {record.get('input')}: {record.get('outcome')}"
            if "control" in record:
                text += f" (fresh instance: {record['control']})"
            lines.append(text)
        training = evidence.get("training_call")
        if training:
            lines.append(f"      training call: statistics changed {training.get('non_trainable_changed') or 'none'}, "
                         f"rng state changed {training.get('rng_state_changed') or 'none'}, "
                         f"normalized {training.get('output_normalized') or 'no'}")
    lines.append(f"    ({document.get('generated_by', '')})")
    return lines


# ---------------------------------------------------------------------------------------------
# Command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--framework", choices=FRAMEWORKS, default="keras",
                        help="framework to probe (default: keras)")
    parser.add_argument("--backend", choices=("tensorflow", "jax", "torch"), default=None,
                        help="Keras 3 backend (default: KERAS_BACKEND or tensorflow)")
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table",
                        dest="format", help="output format (default: table)")
    parser.add_argument("--output", metavar="FILE", default=None, help="write the output to FILE")
    parser.add_argument("--write-catalog", action="store_true",
                        help="write the result into the package's catalog (data/<framework>.json)")
    parser.add_argument("classes", nargs="*", metavar="CLASS",
                        help="probe only these classes (default: every public layer class)")


def run(args: argparse.Namespace) -> int:
    try:
        document = run_probe(args.framework, list(args.classes) or None,
                             getattr(args, "backend", None), progress=True)
        text = render(document, args.format)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        if args.write_catalog:
            path = DATA_DIR / f"{args.framework}.json"
            to_write = dict(document)
            to_write.pop("probe_seconds", None)
            if args.classes and path.exists():
                to_write = merge_documents(json.loads(path.read_text(encoding="utf-8")), document)
            path.write_text(render(to_write, "json"), encoding="utf-8")
            try:
                from . import load

                load.cache_clear()
            except Exception:
                pass
            sys.stderr.write(f"layerlint probe: wrote {path} ({len(to_write['classes'])} classes, "
                             f"probe took {document.get('probe_seconds')} s)\n")
        return 0
    except ProbeError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    except OSError as error:
        sys.stderr.write(f"layerlint probe: {error}\n")
        return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="layerlint probe", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
