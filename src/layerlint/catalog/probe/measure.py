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
