"""The abstract values the analyzer computes with: a tensor of partly known shape, a layer instance, a
container of layers, a constant, a function; and how two values meet after an `if`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from layerlint.static.facts import Instance
from layerlint.static.shapes import Arguments, Shape, merge

if TYPE_CHECKING:
    import ast

    from layerlint.static.classes import ClassInfo


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown>"


NOTHING = _Unknown()


@dataclass(frozen=True)
class TensorValue:
    shape: Shape | None


@dataclass(frozen=True)
class LayerValue:
    instance: Instance
    key: object = None


@dataclass(eq=False)
class ContainerValue:
    items: list[Any] = field(default_factory=list)
    mapping: dict[Any, Any] | None = None
    family: Instance | None = None  # a comprehension: one construction, distinct instances
    exact: bool = True  # False when the items only model a loop of unknown length

    def elements(self) -> list[Any]:
        return list(self.mapping.values()) if self.mapping is not None else self.items


@dataclass(frozen=True)
class ConstValue:
    value: Any


@dataclass(frozen=True)
class FunctionValue:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    owner: "ClassInfo | None" = None
    analyzer: Any = None  # the analyzer of the module defining it, when another module of the project


@dataclass(frozen=True)
class SelfValue:
    owner: "ClassInfo"


@dataclass(frozen=True)
class ClassValue:
    info: "ClassInfo"


@dataclass(frozen=True)
class TupleValue:
    items: tuple


@dataclass(frozen=True)
class QualifiedValue:
    """A framework layer class named as a value: `conv_cls = nn.Conv2d; conv_cls(3, 8, 3)`."""

    qualified: str


@dataclass(frozen=True)
class PartialValue:
    """`functools.partial(nn.LayerNorm, eps=1e-5)`: calling it is calling the class with the partial's
    arguments first."""

    node: ast.Call


def python_constant(value: Any, unknown: Any) -> Any:
    """The Python value of a constant the source states (a number, string, bool or None, or a tuple of
    them: `mode in ("a", "b")`, `kernel_size=(3, 3)`), else `unknown`."""
    if isinstance(value, ConstValue):
        return value.value if isinstance(value.value, (str, int, float, bool, type(None))) else unknown
    if not isinstance(value, TupleValue):
        return unknown
    items = [python_constant(item, unknown) for item in value.items]
    return unknown if any(item is unknown for item in items) else tuple(items)


def same_value(first: Any, second: Any) -> Any:
    if first is second or first == second:
        return first
    if isinstance(first, TensorValue) and isinstance(second, TensorValue):
        return TensorValue(merge(first.shape, second.shape))
    if (isinstance(first, LayerValue) and isinstance(second, LayerValue) and first.key == second.key
            and first.instance.class_name == second.instance.class_name):
        return LayerValue(either(first.instance, second.instance), first.key)
    return NOTHING


def either(first: Instance, second: Instance) -> Instance:
    """One layer of a class built by either of two `if` arms: its class is known, its arguments not."""
    if first.alternative is second or second.alternative is first:
        return first.merged or second.merged  # type: ignore[return-value]
    merged = Instance(first.class_name, first.framework, first.traits, first.spec, Arguments(has_star=True),
                      first.node, first.label, first.composite, first.children, first.wrapped)
    first.alternative, first.merged = second, merged
    return merged


def merge_attributes(before: dict[str, Any], body: dict[str, Any], orelse: dict[str, Any]) -> dict[str, Any]:
    """Attributes after an `if` in a constructor: what both arms agree on, the union otherwise (an
    attribute set in one arm only is taken as set: `if use_bn: self.bn = BatchNormalization()`)."""
    merged = dict(before)
    for name in body.keys() | orelse.keys():
        if name in body and name in orelse:
            merged[name] = same_value(body[name], orelse[name])
        else:
            merged[name] = body.get(name, orelse.get(name))
    return merged


def merge_env(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    return {name: same_value(first[name], second[name]) for name in first.keys() & second.keys()}


def input_shapes(values: list[Any]) -> tuple[Shape | None, ...]:
    shapes = []
    for value in values:
        if isinstance(value, TensorValue):
            shapes.append(value.shape)
        elif isinstance(value, (ContainerValue, TupleValue)):
            shapes.append(None)
        else:
            shapes.append(None)
    return tuple(shapes)


def layer_values(values: Any, seen: set[int] | None = None) -> Iterator[LayerValue]:
    seen = set() if seen is None else seen
    for value in values:
        if isinstance(value, LayerValue):
            yield value
        elif isinstance(value, ContainerValue) and id(value) not in seen:
            seen.add(id(value))  # a list may hold itself
            if value.family is not None:
                yield LayerValue(value.family)
            yield from layer_values(value.elements(), seen)
