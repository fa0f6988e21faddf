"""Measuring one layer class: the inputs the probe feeds it, the calls it makes (first input, then
another feature size, spatial size, rank and batch, then the first shape again), the state it
compares, and the verdict; and `run_probe`, which measures every class of a framework."""

from __future__ import annotations

import datetime as _dt
import inspect
import itertools
import json
import os
import re
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

from layerlint._version import __version__
from layerlint.catalog import (
    COMPOSITE,
    FRAMEWORKS,
    PINS_RANK,
    RANDOM_STATE,
    RUNNING_STATISTICS,
    STATELESS,
    WEIGHTS_CONSTRUCTOR,
    WEIGHTS_FIRST_CALL,
    probe_specs,
)
from layerlint.catalog.probe.adapters import Adapter, ProbeError, adapter_for
from layerlint.report.progress import Progress

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

CHECKER_FIELDS = ("category", "weights", "statistics", "normalizes", "random_state", "sizing",
                  "pins", "reuse_error")

# Sizes of each layout letter: (first call, variation). Distinctive feature sizes (11 -> 13) make
# the reuse-error template unambiguous.
#   B batch, F feature (channels), S spatial, T time steps, R spatial of RGB images, L audio samples
SIZES = {"B": (2, 3), "F": (11, 13), "S": (4, 6), "T": (3, 5), "R": (8, 10), "L": (32, 40)}
SPATIAL = "STRL"



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

    def __init__(self, adapter: Adapter, name: str, cls: type, spec: dict, extra_args: dict):
        self.adapter = adapter
        self.name = name
        self.cls = cls
        self.spec = spec
        self.extra = extra_args
        self.style = spec.get("call", "single")

    # -- helpers --------------------------------------------------------------------------
    def build(self, feature: int):
        kwargs = _resolve_args(self.spec.get("args"), self.adapter.layers, feature)
        kwargs.update(self.extra)
        return self.adapter.construct(self.cls, kwargs)

    def inputs_for(self, data: _Inputs, letters: str, dtype: str, second: dict, count: int = 3):
        shape = data.shape(letters, second)
        return shape, [self.adapter.prepare(data.make(shape, dtype)) for _ in range(count)]

    def attempt(self, layer, inputs, training=None):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return True, self.adapter.call(layer, inputs, self.style, training), None
        except Exception as error:  # noqa: BLE001 - the probe records every failure
            return False, None, error

    def snapshot(self, layer) -> dict:
        rng_ids = self.adapter.rng_state_ids(layer)
        out = {}
        for key, var, trainable in self.adapter.variables(layer):
            kind = "rng" if id(var) in rng_ids else ("trainable" if trainable else "non_trainable")
            shape = self.adapter.shape(var)
            out[key] = {"id": id(var), "kind": kind,
                        "shape": shape if isinstance(shape, str) else _shape_text(shape)}
        return out

    def values(self, layer, kinds=("non_trainable", "rng")) -> dict:
        rng_ids = self.adapter.rng_state_ids(layer)
        out = {}
        for key, var, trainable in self.adapter.variables(layer):
            kind = "rng" if id(var) in rng_ids else ("trainable" if trainable else "non_trainable")
            if kind in kinds:
                out[key] = self.adapter.value(var)
        return out

    def other_state(self, layer) -> dict:
        """Tensors the layer holds outside its variables (e.g. stateful RNN states)."""
        tracked = {id(var) for _, var, _ in self.adapter.variables(layer)}
        found = {}
        subs = self.adapter.sublayers(layer) if hasattr(self.adapter, "sublayers") else list(layer.modules())
        for index, sub in enumerate(subs):
            for attr, value in vars(sub).items():
                if attr in ("_parameters", "_buffers"):
                    continue
                sequence = isinstance(value, (list, tuple)) or type(value).__name__ in (
                    "ListWrapper", "_TupleWrapper")
                items = list(value) if sequence else [value]
                tensors = [v for v in items if self.adapter.is_tensor(v) and id(v) not in tracked
                           and len(getattr(v, "shape", ())) > 0]  # scalars are settings
                if tensors and len(tensors) == len(items):
                    label = attr if index == 0 else f"{type(sub).__name__}.{attr}"
                    found[label] = [_shape_text(getattr(t, "shape", ())) for t in tensors]
        return found

    def _differ(self, first, second) -> bool:
        one, two = self.adapter.to_numpy(first), self.adapter.to_numpy(second)
        if one is None or two is None:
            return False
        return one.shape != two.shape or not self.adapter.np.array_equal(one, two)

    @staticmethod
    def _describe(snapshot: dict) -> dict:
        return {key: f"{info['kind']} {info['shape']}" for key, info in snapshot.items()}

    def _changed(self, before: dict, after: dict) -> list[str]:
        np = self.adapter.np
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
        np = self.adapter.np
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
        adapter = self.adapter
        kinds = [self.spec["input"]] if "input" in self.spec else adapter.first_call_fallbacks(self.name)
        first_failure = None
        for kind in kinds:
            letters, dtype = _layout(adapter.layouts, kind)
            data = _Inputs(adapter.np, self.spec.get("features"))
            try:
                layer = self.build(data.sizes["F"][0])
            except Exception as error:  # noqa: BLE001
                return None, f"constructor failed: {_error_line(error)}"
            before = self.snapshot(layer)
            shape, inputs = self.inputs_for(data, letters, dtype, {})
            ok, _, error = self.attempt(layer, inputs)
            if ok:
                return self._measure(layer, _Call(kind, letters, dtype, data), before, shape), None
            first_failure = first_failure or f"first call on {kind} {list(shape)} failed: {_error_line(error)}"
        return None, first_failure

    def _measure(self, layer: Any, call: _Call, before: dict, first_shape: tuple[int, ...]) -> dict:
        """After a first call that worked: vary the input, call in training mode, then judge."""
        after_first = self.snapshot(layer)
        other_before = self.other_state(layer)
        evidence = self._first_call_evidence(call, before, after_first, first_shape)
        varied = self._vary_inputs(layer, call, after_first)
        evidence["variations"] = varied.records
        if varied.new_state_on:
            evidence["new_state_created_by"] = varied.new_state_on
        training = self._training_calls(layer, call)
        evidence["training_call"] = training.record
        if training.generators:
            evidence["random_generators"] = [type(g).__name__ for g in training.generators]
        other_after = self.other_state(layer)
        if other_before or other_after:
            evidence["state_outside_variables"] = {"after_first_call": other_before,
                                                   "after_all_calls": other_after}
        evidence["same_shape_call_reused_state"] = varied.reused
        return self._classify(layer, call, before, after_first, varied, training, evidence)

    def _first_call_evidence(self, call: _Call, before: dict, after_first: dict,
                             first_shape: tuple[int, ...]) -> dict[str, Any]:
        arguments = _resolve_args(self.spec.get("args"), self.adapter.layers, call.data.sizes["F"][0])
        evidence: dict[str, Any] = {
            "arguments": {k: repr(v) for k, v in arguments.items()},
            "input_layout": call.kind,
            "call": self.style,
            "state_before_first_call": self._describe(before),
            "state_after_first_call": self._describe(after_first),
            "first_call": {"input": _shape_text(first_shape), "outcome": "ok"},
        }
        if self.extra:
            evidence["arguments"].update({k: repr(v) for k, v in self.extra.items()})
        return evidence

    def _vary_inputs(self, layer: Any, call: _Call, after_first: dict) -> _Variations:
        """Calls the built instance on inputs that differ in one property each. A failure counts
        against reuse only when a fresh instance accepts the same input (the control)."""
        varied = _Variations()
        for name, letters, second in _variations(call.letters)[1:]:
            shape, inputs = self.inputs_for(call.data, letters, call.dtype, second)
            state_before = self.snapshot(layer)
            ok, _, error = self.attempt(layer, inputs)
            record: dict[str, Any] = {"input": _shape_text(shape), "outcome": "ok" if ok else _error_line(error)}
            state_after = self.snapshot(layer)
            if ok and set(state_after) != set(state_before):
                varied.new_state_on.append(name)
                record["new_state"] = sorted(set(state_after) - set(state_before))
            if name == "same":
                varied.reused = ok and _ids(state_after) == _ids(after_first)
                record["reused_state"] = varied.reused
            if not ok:
                self._judge_failure(name, letters, shape, inputs, error, call.data, record, varied)
            varied.records[name] = record
        return varied

    def _judge_failure(self, name: str, letters: str, shape: tuple[int, ...], inputs: list, error: BaseException,
                       data: _Inputs, record: dict[str, Any], varied: _Variations) -> None:
        detail = _error_detail(error)
        if detail:
            record["detail"] = detail
        control_feature = shape[letters.index("F")] if "F" in letters else data.sizes["F"][0]
        try:
            control_ok, _, control_error = self.attempt(self.build(control_feature), inputs)
            record["control"] = "ok" if control_ok else _error_line(control_error)
        except Exception as build_error:  # noqa: BLE001
            control_ok = False
            record["control"] = f"constructor failed: {_error_line(build_error)}"
        record["caused_by_reuse"] = control_ok
        if not control_ok:
            return
        if name == "feature":
            varied.pins.add("feature")
            varied.feature_error = (error, shape)
        elif name.startswith("rank"):
            varied.pins.add("rank")
        else:
            varied.pins_other.add(name)

    def _training_calls(self, layer: Any, call: _Call) -> _Training:
        """Training-mode calls: statistics, random-generator state, normalization, random output."""
        adapter, data, dtype = self.adapter, call.data, call.dtype
        shape = data.shape(call.letters, {})
        statistics_before = self.values(layer)
        shifted = [adapter.prepare(data.make(shape, dtype, shift=3.0, scale=5.0)) for _ in range(3)]
        first_ok, first_out, first_error = self.attempt(layer, shifted, training=True)
        changed = self._changed(statistics_before, self.values(layer))
        final = self.snapshot(layer)
        rng_changed = [k for k in changed if final.get(k, {}).get("kind") == "rng"]
        statistics_changed = [k for k in changed if final.get(k, {}).get("kind") == "non_trainable"]
        again_ok, again_out, _ = self.attempt(layer, shifted, training=True)
        squeezed = [adapter.prepare(data.make(shape, dtype, shift=-1.0, scale=0.2)) for _ in range(3)]
        squeezed_ok, squeezed_out, _ = self.attempt(layer, squeezed, training=True)
        normalized = sorted(set(self._normalized(adapter.to_numpy(first_out)) if first_ok else [])
                            & set(self._normalized(adapter.to_numpy(squeezed_out)) if squeezed_ok else []))
        carries_state = self._carries_state(layer, call, shape)
        random_output = None
        if first_ok and again_ok:
            random_output = self._random_output(layer, shifted, first_out, again_out) and not carries_state
        training = _Training(statistics_changed, rng_changed, random_output, carries_state, normalized,
                             adapter.random_generators(layer))
        training.record = {
            "input": _shape_text(shape),
            "outcome": "ok" if first_ok else _error_line(first_error),
            "non_trainable_changed": statistics_changed,
            "rng_state_changed": rng_changed,
            "output_random": random_output,
            "output_depends_on_earlier_calls": carries_state,
            "output_normalized": normalized,
        }
        return training

    def _carries_state(self, layer: Any, call: _Call, shape: tuple[int, ...]) -> bool:
        """Output carried over between calls (stateful RNNs): two inference calls on one input
        differ. Random layers are deterministic in inference, so this separates the two."""
        same = [self.adapter.prepare(call.data.make(shape, call.dtype)) for _ in range(3)]
        first_ok, first, _ = self.attempt(layer, same, training=False)
        second_ok, second, _ = self.attempt(layer, same, training=False)
        return bool(first_ok and second_ok and self._differ(first, second))

    def _random_output(self, layer: Any, inputs: list, first: Any, second: Any) -> bool:
        """A random size (RandomWidth) or a rare draw can repeat: a few more calls decide."""
        differ = self._differ(first, second)
        for _ in range(3):
            if differ:
                break
            again_ok, again, _ = self.attempt(layer, inputs, training=True)
            differ = again_ok and self._differ(first, again)
        return bool(differ)

    def _classify(self, layer: Any, call: _Call, before: dict, after_first: dict, varied: _Variations,
                  training: _Training, evidence: dict[str, Any]) -> dict:
        """The catalog entry: what the measurements say the class is."""
        trainable_after = [k for k, v in after_first.items() if v["kind"] == "trainable"]
        stateful_before = [k for k, v in before.items() if v["kind"] in ("trainable", "non_trainable")]
        stateful_after = [k for k, v in after_first.items() if v["kind"] in ("trainable", "non_trainable")]
        lazy_before = [k for k, v in before.items() if v["shape"] == "uninitialized"]
        built = bool(stateful_after) and (not stateful_before or bool(lazy_before)
                                          or set(stateful_after) - set(stateful_before) != set())
        evidence["first_call_built_state"] = built
        evidence["carries_state_between_calls"] = training.carries_state
        weights = bool(trainable_after)
        statistics = bool(training.statistics_changed)
        random_state = bool(training.generators) and (bool(training.rng_changed) or bool(training.random_output))
        # A normalization layer: standardized (or unit-RMS) output for two differently shifted
        # and scaled inputs, and its own state is per-feature vectors at most (a Transformer
        # block also ends in a LayerNorm, but its weight matrices make it no normalization layer).
        state_ranks = [len(_shape_tuple(v["shape"])) for v in after_first.values() if v["kind"] != "rng"]
        normalizes = bool(training.normalized) and all(rank <= 1 for rank in state_ranks)
        if training.normalized and not normalizes:
            evidence["training_call"]["not_a_normalization_layer"] = "holds state of rank > 1"
        sizing = "none" if not stateful_after else "first-call" if built else "constructor"
        category = self._category(statistics, weights, sizing, bool(stateful_after), random_state, varied.pins)
        entry = {
            "category": category, "weights": weights, "statistics": statistics, "normalizes": normalizes,
            "random_state": random_state, "sizing": sizing, "pins": sorted(varied.pins), "reuse_error": None,
            "carries_state": training.carries_state, "evidence": evidence,
        }
        if varied.feature_error:
            error, shape = varied.feature_error
            sizes = dict(layer=self.adapter.name_of(layer), cls=self.name, expected=call.data.sizes["F"][0],
                         received=call.data.sizes["F"][1], received_shape=shape)
            entry["reuse_error"] = templatize(_error_line(error), **sizes)
            detail = templatize(_error_detail(error), **sizes)
            if detail:
                entry["reuse_error_detail"] = detail
        if varied.pins_other:
            entry["pins_other"] = sorted(varied.pins_other)
        return entry

    def _category(self, statistics: bool, weights: bool, sizing: str, stateful: bool, random_state: bool,
                  pins: set[str]) -> str:
        if self.spec.get("wraps"):
            return COMPOSITE
        if statistics:
            return RUNNING_STATISTICS
        if weights and sizing == "first-call":
            return WEIGHTS_FIRST_CALL
        if weights or stateful:
            return WEIGHTS_CONSTRUCTOR
        if random_state:
            return RANDOM_STATE
        if pins:
            return PINS_RANK
        return STATELESS


@dataclass
class _Call:
    """How the class is called: the input layout, its letters (`BF`, `BSSF`…), dtype and sizes."""

    kind: str
    letters: str
    dtype: str
    data: _Inputs


@dataclass
class _Variations:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    pins: set[str] = field(default_factory=set)  # what the first call fixed: "feature", "rank"
    pins_other: set[str] = field(default_factory=set)
    feature_error: tuple[BaseException, tuple[int, ...]] | None = None  # the error of a second feature size
    reused: bool | None = None  # did a same-shape call reuse the state the first call built
    new_state_on: list[str] = field(default_factory=list)


@dataclass
class _Training:
    statistics_changed: list[str]
    rng_changed: list[str]
    random_output: bool | None
    carries_state: bool
    normalized: list[str]
    generators: list[Any]
    record: dict[str, Any] = field(default_factory=dict)


def _ids(snapshot: dict) -> dict[str, Any]:
    return {key: value["id"] for key, value in snapshot.items()}


def _probe_class(adapter: Adapter, name: str, cls: type) -> tuple[dict | None, str | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _probe_class_variants(adapter, name, cls)


def _probe_class_variants(adapter: Adapter, name: str, cls: type) -> tuple[dict | None, str | None]:
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
    adapter = adapter_for(framework)
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
