"""The probe's view of each framework: how to list its layer classes, build and call one, and read
its state (weights, statistics, random generators). One adapter per framework."""

from __future__ import annotations

import abc
import importlib
import inspect
import os
from typing import Any

from layerlint import frameworks
from layerlint.catalog import probe_specs

class ProbeError(Exception):
    """A failure reported to the user as one line (exit status 2)."""


# ---------------------------------------------------------------------------------------------
# Framework adapters


class Adapter(abc.ABC):
    """What the probe needs of one framework: its public layer classes, inputs, calls and state."""

    name = ""
    specs: dict = {}
    unprobed: dict = {}

    @property
    def layouts(self) -> dict[str, object]:
        return _framework(self.name).input_layouts

    @property
    def module_label(self) -> str:
        return _framework(self.name).layer_module

    def seed(self) -> None:
        """Fixes the framework's random state, so that two probe runs measure the same."""

    @abc.abstractmethod
    def public_classes(self) -> dict[str, type]:
        """Public name -> class of every layer class the framework exports."""

    def first_call_fallbacks(self, name: str) -> list[str]:
        for tag, kind in (("1D", "seq"), ("2D", "img"), ("3D", "vol"),
                          ("1d", "seq"), ("2d", "img"), ("3d", "vol")):
            if tag in name:
                return [kind]
        return ["img", "seq", "vec", "vol"]


class KerasAdapter(Adapter):
    name = "keras"

    def __init__(self):
        import numpy

        self.np = numpy
        self.k = importlib.import_module("keras")
        self.layers = self.k.layers
        self.specs = probe_specs.KERAS_SPECS
        self.unprobed = probe_specs.KERAS_UNPROBED

    def seed(self) -> None:
        try:
            self.k.utils.set_random_seed(0)
        except Exception:  # noqa: BLE001  (a backend without global seeding still probes)
            pass

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


class TFKerasAdapter(KerasAdapter):
    name = "tf_keras"

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


class TorchAdapter(Adapter):
    name = "torch"

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

    def seed(self) -> None:
        self.torch.set_num_threads(1)
        self.torch.manual_seed(0)

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


def _framework(name: str) -> frameworks.Framework:
    found = frameworks.get(name)
    if found is None:
        raise ProbeError(f"layerlint probe: unknown framework {name!r}")
    return found


def adapter_for(name: str) -> Adapter:
    """The probe adapter of a framework, seeded; a clear `ProbeError` when it is not installed."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    framework = _framework(name)
    try:
        importlib.import_module(framework.module)
    except ImportError as error:
        if getattr(error, "name", framework.module) in (framework.module, None) or framework.module in str(error):
            raise ProbeError(f"layerlint probe: {framework.module} is not installed; {framework.install}")
        raise ProbeError(f"layerlint probe: cannot import {framework.module}: {error}")
    module, _, cls = framework.probe_adapter.partition(":")
    adapter: Adapter = getattr(importlib.import_module(module), cls)()
    adapter.seed()
    return adapter
