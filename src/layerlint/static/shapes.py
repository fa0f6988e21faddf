"""Shape reasoning without running: which axis a layer reads its feature size from, and what it outputs.

Only what the source states is used (literal constructor arguments, `Input(shape=...)`); anything else
is unknown (`None`), never a guess. The per-class knowledge is a table of small specs, not code branches.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

class _Unknown:
    """What the source does not state; distinct from a literal `None` (`Input(shape=(None, 16))`)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Shape:
    """Partly known tensor shape. Axis keys are normalised to non-negative indices once the rank is
    known; while it is not, `-1` (last) and `1` (channels-first) are tracked separately."""

    rank: int | None = None
    sizes: tuple[tuple[int, int], ...] = ()
    # Axes whose size is known only to be a multiple of a number: flattening (N, 32, H, W) with H and
    # W unknown gives 32·H·W features, which no `nn.Linear(1050, ...)` can take (1050 % 32 != 0).
    multiples: tuple[tuple[int, int], ...] = ()
    # The last axis was set by a dense projection (`nn.Linear`, `LazyLinear`; Keras `Dense` too, which
    # nothing reads it for) on an input of unknown rank that only modelled steps lead to from the
    # model's input. A norm that takes (N, C) or (N, C, L) reads such a tensor as (N, C) when nothing
    # says otherwise (`facts.settle_ranks`): over (N, L, C) it would normalise over L. Any operation
    # that builds a new shape drops the mark (another projection sets it again); layers and tensor
    # methods that keep the shape object (activations, dropout, norms) carry it on.
    projected: bool = False

    def _key(self, axis: int) -> int:
        return axis + self.rank if self.rank is not None and axis < 0 else axis

    def size(self, axis: int) -> int | None:
        key = self._key(axis)
        for known_axis, value in self.sizes:
            if known_axis == key:
                return value
        return None

    def multiple(self, axis: int) -> int | None:
        """A number the axis's size is known to be a multiple of (the size itself when known)."""
        key = self._key(axis)
        exact = self.size(axis)
        return exact if exact is not None else next((f for a, f in self.multiples if a == key), None)

    def with_size(self, axis: int, value: int | None) -> "Shape":
        key = self._key(axis)
        rest = tuple((a, v) for a, v in self.sizes if a != key)
        multiples = tuple((a, f) for a, f in self.multiples if a != key)
        return Shape(self.rank, rest + (((key, value),) if value is not None else ()), multiples)

    def with_multiple(self, axis: int, factor: int) -> "Shape":
        """The axis's size is unknown but a multiple of `factor` (1 says nothing and is not kept)."""
        shape = self.with_size(axis, None)
        return shape if factor <= 1 else Shape(shape.rank, shape.sizes, shape.multiples + ((self._key(axis), factor),))

    def with_rank(self, rank: int | None) -> "Shape":
        """A new rank loses the axis sizes, except the last one which most layers keep."""
        last = self.size(-1)
        return Shape(rank).with_size(-1, last)

    @classmethod
    def from_dims(cls, dims: Sequence[int | None]) -> "Shape":
        shape = cls(len(dims))
        for axis, value in enumerate(dims):
            shape = shape.with_size(axis, value)
        return shape

    def describe(self, axis: int) -> str:
        """`(None, ..., 16)` style, for quoting the framework's error message."""
        value = self.size(axis)
        if self.rank is None:
            return f"(..., {value})" if axis < 0 else f"(None, {value}, ...)"
        dims = ["None" if i == 0 else str(self.size(i) if self.size(i) is not None else "?") for i in range(self.rank)]
        return "(" + ", ".join(dims) + ")"


def merge(first: Shape | None, second: Shape | None) -> Shape | None:
    """What is known of a tensor that is one of two shapes (after an if/else)."""
    if first is None or second is None:
        return None
    if first == second:
        return first
    rank = first.rank if first.rank == second.rank else None
    common = tuple(item for item in first.sizes if item in second.sizes) if rank == first.rank else ()
    return Shape(rank, common)


# --- reading constructor arguments -------------------------------------------------------------

@dataclass(frozen=True)
class Arg:
    """A constructor argument by keyword and optional position, with its default."""

    name: str
    position: int | None = None
    default: Any = UNKNOWN

    def read(self, arguments: "Arguments") -> Any:
        return arguments.get(self.name, self.position, self.default)


@dataclass
class Arguments:
    """Literal values of a constructor call; `UNKNOWN` where the source does not state a literal."""

    positional: list[Any] = field(default_factory=list)
    keywords: dict[str, Any] = field(default_factory=dict)
    has_star: bool = False

    def get(self, name: str, position: int | None, default: Any = UNKNOWN) -> Any:
        if name in self.keywords:
            return self.keywords[name]
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return UNKNOWN if self.has_star else default

    def as_mapping(self, names: Sequence[Arg]) -> dict[str, Any]:
        """Keywords plus positionals named by the spec, for catalog variants keyed by argument."""
        mapping = {key: value for key, value in self.keywords.items() if value is not UNKNOWN}
        for arg in names:
            if arg.position is not None and arg.position < len(self.positional):
                mapping.setdefault(arg.name, self.positional[arg.position])
        return mapping


# --- per-class specs --------------------------------------------------------------------------

OutputRule = Callable[["Spec", Arguments, Sequence[Shape | None]], Shape | None]


@dataclass(frozen=True)
class Spec:
    """How a layer class reads and changes shapes.

    feature_axis: the axis whose size the layer pins (an int, or an Arg such as BatchNorm's `axis`).
    declared_input: the constructor argument fixing the expected input size (PyTorch), if any.
    output: the rule that computes the output shape from the input shapes.
    """

    feature_axis: int | Arg | str = -1  # "channels" means -1, or 1 with data_format="channels_first"
    declared_input: Arg | None = None
    output: OutputRule | None = None
    output_size: Arg | None = None
    named_args: tuple[Arg, ...] = ()
    rank: int | None = None  # the input rank the layer requires (Conv2D: 4), when it fixes one
    # The input ranks the layer accepts when it takes more than one (BatchNorm1d: (N, C) or (N, C, L)).
    # At rank 2 its feature axis 1 is also the last one, the axis a Linear before it sets.
    ranks: tuple[int, ...] = ()

    def axis(self, arguments: Arguments) -> int | None:
        if self.feature_axis == "channels":
            fmt = arguments.get("data_format", None, "channels_last")
            fmt = "channels_last" if fmt is None else fmt  # None: Keras's default image data format
            return 1 if fmt == "channels_first" else (-1 if fmt == "channels_last" else None)
        if isinstance(self.feature_axis, Arg):
            value = self.feature_axis.read(arguments)
            if isinstance(value, (list, tuple)) and len(value) == 1:
                value = value[0]
            return value if isinstance(value, int) else None
        return self.feature_axis

    def declared_size(self, arguments: Arguments) -> int | None:
        if self.declared_input is None:
            return None
        value = self.declared_input.read(arguments)
        if isinstance(value, (list, tuple)) and value:
            value = value[-1]
        return value if isinstance(value, int) else None

    def apply(self, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
        return self.output(self, arguments, inputs) if self.output else None


def _first(inputs: Sequence[Shape | None]) -> Shape | None:
    return inputs[0] if inputs else None


def same(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    return _first(inputs)


def resize(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    """The feature axis becomes the spec's output size (Dense units, Conv filters, Linear out),
    whatever is known of the input."""
    shape = _first(inputs) or Shape()
    axis = spec.axis(arguments)
    if axis is None:
        return None
    if shape.rank is None and spec.rank is not None:
        shape = shape.with_rank(spec.rank)
    value = spec.output_size.read(arguments) if spec.output_size else UNKNOWN
    out = shape.with_size(axis, value if isinstance(value, int) else None)
    # Marked only on the model's input itself (a bare `Shape()`: nothing known) or on another marked
    # tensor: an operation the analysis does not follow (`unsqueeze`, `reshape` to three axes: `None`)
    # or a layer that leaves a sequence axis (Embedding, LSTM) says nothing of the rank.
    source = _first(inputs)
    from_input = source is not None and (source.projected or source == Shape())
    stated = from_input and axis == -1 and out.rank is None and out.size(-1) is not None
    return replace(out, projected=True) if stated else out


def depthwise(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    shape = _first(inputs)
    axis = spec.axis(arguments)
    if shape is None or axis is None:
        return None
    multiplier = arguments.get("depth_multiplier", 3, 1)
    size = shape.size(axis)
    known = isinstance(multiplier, int) and size is not None
    return shape.with_size(axis, size * multiplier if known else None)


def recurrent(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    shape = _first(inputs)
    if shape is None:
        return None
    units = spec.output_size.read(arguments) if spec.output_size else UNKNOWN
    sequences = arguments.get("return_sequences", None, False)
    if arguments.get("return_state", None, False) is not False or sequences is UNKNOWN:
        return None
    out = shape if sequences else shape.with_rank(shape.rank - 1 if shape.rank else None)
    return out.with_size(-1, units if isinstance(units, int) else None)


def embedding(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    shape = _first(inputs)
    size = spec.output_size.read(arguments) if spec.output_size else UNKNOWN
    rank = shape.rank + 1 if shape is not None and shape.rank is not None else None
    return Shape(rank).with_size(-1, size if isinstance(size, int) else None)


def global_pool(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    shape = _first(inputs)
    axis = spec.axis(arguments)
    if shape is None or axis is None or arguments.get("keepdims", None, False) is not False:
        return None
    return Shape(2).with_size(1, shape.size(axis))


def flatten(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    return Shape(2)


def flattened(shape: Shape | None, start: int = 1, end: int = -1) -> Shape:
    """`x.flatten(1)`, `x.view(x.size(0), -1)`, `nn.Flatten()`: the axes from 1 to the last of a
    channels-first tensor become one. Its size is a multiple of the channel count (the spatial sizes
    are not tracked: every pooling changes them), the channel count itself at rank 2. Other ranges
    of axes give a tensor of unknown rank."""
    if start != 1 or end != -1:
        return Shape()
    rank = shape.rank if shape is not None else None
    channels = shape.size(1) if shape is not None and rank is not None and rank >= 2 else None
    if channels is None:
        return Shape(2)
    return Shape(2).with_size(1, channels) if rank == 2 else Shape(2).with_multiple(1, channels)


def torch_flatten(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    start, end = arguments.get("start_dim", 0, 1), arguments.get("end_dim", 1, -1)
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    return flattened(_first(inputs), start, end)


def concatenate(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    axis = spec.axis(arguments)
    if not inputs or any(shape is None for shape in inputs) or axis is None:
        return None
    sizes = [shape.size(axis) for shape in inputs]
    total = sum(sizes) if all(size is not None for size in sizes) else None
    return inputs[0].with_size(axis, total)


def bidirectional(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    """Filled in by the analyzer, which knows the wrapped layer; here only the merge factor."""
    return None


_CHANNELS = "channels"
def _keras_conv(rank: int) -> Spec:
    return Spec(_CHANNELS, output=resize, output_size=Arg("filters", 0), rank=rank)


_KERAS_SAME_CHANNELS = Spec(_CHANNELS, output=same)
_KERAS_GLOBAL = Spec(_CHANNELS, output=global_pool)
_SAME = Spec(-1, output=same)

KERAS: dict[str, Spec] = {
    **{name: _keras_conv(int(name[-2]) + 2) for name in (
        "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
        "SeparableConv1D", "SeparableConv2D")},
    **{name: _keras_conv(int(name[4]) + 2) for name in ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")},
    **{name: _keras_conv(int(name[-2]) + 3) for name in ("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")},
    "DepthwiseConv1D": Spec(_CHANNELS, output=depthwise),
    "DepthwiseConv2D": Spec(_CHANNELS, output=depthwise),
    "Dense": Spec(-1, output=resize, output_size=Arg("units", 0)),
    "EinsumDense": Spec(-1),
    "Embedding": Spec(-1, output=embedding, output_size=Arg("output_dim", 1)),
    **{name: Spec(-1, output=recurrent, output_size=Arg("units", 0)) for name in ("LSTM", "GRU", "SimpleRNN")},
    "Bidirectional": Spec(-1, output=bidirectional),
    "BatchNormalization": Spec(Arg("axis", 0, -1), output=same),
    "LayerNormalization": Spec(Arg("axis", 0, -1), output=same),
    "GroupNormalization": Spec(Arg("axis", 1, -1), output=same),
    "UnitNormalization": _SAME,
    "PReLU": _SAME,
    "Concatenate": Spec(Arg("axis", 0, -1), output=concatenate),
    **{name: Spec(-1, output=same) for name in (
        "ReLU", "LeakyReLU", "ELU", "Softmax", "Activation", "Identity", "Dropout", "GaussianNoise",
        "GaussianDropout", "AlphaDropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
        "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Rescaling", "Masking",
        "ActivityRegularization")},
    **{name: _KERAS_SAME_CHANNELS for name in (
        "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D",
        "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
        "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
        "Cropping1D", "Cropping2D", "Cropping3D")},
    **{name: _KERAS_GLOBAL for name in (
        "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalAvgPool1D",
        "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
        "GlobalMaxPooling3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D")},
    "Flatten": Spec(-1, output=flatten),
}

def _torch_conv(rank: int) -> Spec:
    return Spec(1, declared_input=Arg("in_channels", 0), output=resize, output_size=Arg("out_channels", 1),
                named_args=(Arg("in_channels", 0), Arg("out_channels", 1)), rank=rank)


_BATCHNORM_ARGS = (Arg("num_features", 0), Arg("eps", 1), Arg("momentum", 2), Arg("affine", 3),
                   Arg("track_running_stats", 4))
_TORCH_BATCHNORM = Spec(1, declared_input=Arg("num_features", 0), output=same, named_args=_BATCHNORM_ARGS)
# (N, C) or (N, C, L); SyncBatchNorm takes any rank from 2. InstanceNorm1d is not one: its rank 2 is
# an unbatched (C, L), whose features are on axis 0.
_TORCH_BATCHNORM_1D = Spec(1, declared_input=Arg("num_features", 0), output=same, named_args=_BATCHNORM_ARGS,
                           ranks=(2, 3))
_TORCH_SYNC_BATCHNORM = Spec(1, declared_input=Arg("num_features", 0), output=same, named_args=_BATCHNORM_ARGS,
                             ranks=(2, 3, 4, 5))
_TORCH_SAME = Spec(1, output=same)
# Sized by its first call on axis 1 of an (N, C) or (N, C, L) input: no declared size to tell the two.
_TORCH_LAZY_BATCHNORM_1D = Spec(1, output=same, ranks=(2, 3))


def torch_recurrent(spec: Spec, arguments: Arguments, inputs: Sequence[Shape | None]) -> Shape | None:
    shape = _first(inputs)
    hidden = arguments.get("hidden_size", 1)
    both = arguments.get("bidirectional", None, False)
    if shape is None or not isinstance(hidden, int) or both is UNKNOWN:
        return None
    return shape.with_size(-1, hidden * (2 if both else 1))


TORCH: dict[str, Spec] = {
    **{name: _torch_conv(int(name[-2]) + 2) for name in ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
                                                          "ConvTranspose2d", "ConvTranspose3d")},
    **{name: Spec(1, output=resize, output_size=Arg("out_channels", 0), rank=int(name[-2]) + 2) for name in (
        "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
        "LazyConvTranspose3d")},
    "Linear": Spec(-1, declared_input=Arg("in_features", 0), output=resize, output_size=Arg("out_features", 1)),
    "LazyLinear": Spec(-1, output=resize, output_size=Arg("out_features", 0)),
    **{name: _TORCH_BATCHNORM for name in ("BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
                                           "InstanceNorm3d")},
    "BatchNorm1d": _TORCH_BATCHNORM_1D,
    "SyncBatchNorm": _TORCH_SYNC_BATCHNORM,
    "LazyBatchNorm1d": _TORCH_LAZY_BATCHNORM_1D,
    **{name: _TORCH_SAME for name in ("LazyBatchNorm2d", "LazyBatchNorm3d",
                                      "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d")},
    "GroupNorm": Spec(1, declared_input=Arg("num_channels", 1), output=same, ranks=(2, 3, 4, 5)),
    "LayerNorm": Spec(-1, declared_input=Arg("normalized_shape", 0), output=same,
                      named_args=(Arg("normalized_shape", 0), Arg("eps", 1), Arg("elementwise_affine", 2))),
    "RMSNorm": Spec(-1, declared_input=Arg("normalized_shape", 0), output=same),
    "Embedding": Spec(-1, output=embedding, output_size=Arg("embedding_dim", 1)),
    **{name: Spec(-1, declared_input=Arg("input_size", 0), output=torch_recurrent) for name in ("LSTM", "GRU", "RNN")},
    **{name: _TORCH_SAME for name in (
        "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
        "Softmax", "LogSoftmax", "Softplus", "Hardtanh", "Hardswish", "Hardsigmoid", "Identity", "Dropout",
        "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "MaxPool1d", "MaxPool2d", "MaxPool3d",
        "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
        "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "Upsample", "UpsamplingNearest2d",
        "UpsamplingBilinear2d", "ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d",
        "LocalResponseNorm", "PReLU")},
    "Flatten": Spec(-1, output=torch_flatten),
}

SPECS: Mapping[str, Mapping[str, Spec]] = {"keras": KERAS, "tf_keras": KERAS, "torch": TORCH}


def spec_for(framework: str | None, class_name: str) -> Spec | None:
    return SPECS.get(framework or "", {}).get(class_name)


def literal(node: ast.expr | None, constants: Mapping[str, Any] | Callable[[str], Any] | None = None) -> Any:
    """The value of a literal expression (numbers, strings, tuples and lists of them, True/None, a
    negative number, a name bound to a constant), else UNKNOWN. Hand-written rather than
    `ast.literal_eval`: most arguments are not literals, and raising for each is what costs."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if constants is None:
            return UNKNOWN
        if callable(constants):
            return constants(node.id)
        return constants.get(node.id, UNKNOWN)
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [literal(element, constants) for element in node.elts]
        if any(item is UNKNOWN for item in items) or any(isinstance(e, ast.Starred) for e in node.elts):
            return UNKNOWN
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = literal(node.operand, constants)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
    return UNKNOWN
