"""The facts the analyzer collects and the rules judge: layer instances, their call events, the
containers that alias one instance, and layers built inside a forward pass."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from layerlint.catalog import LayerTraits
from layerlint.static import budget
from layerlint.static.shapes import Arguments, Shape, Spec


@dataclass(eq=False)
class Instance:
    """One layer object as the source creates it (one constructor call evaluated once)."""

    class_name: str
    framework: str | None  # "keras", "tf_keras", "torch"; None for a class defined by the user
    traits: LayerTraits | None
    spec: Spec | None
    arguments: Arguments
    node: ast.Call
    label: str = ""  # how the code names it: `self.bn`, `shared`, `self.blocks[i]`
    composite: bool = False  # a model/sequential/user layer holding sub-layers
    children: list["Instance"] = field(default_factory=list)
    wrapped: "Instance | None" = None  # the layer inside Bidirectional/TimeDistributed
    aliased_in: ast.AST | None = None  # a container expression that repeats this one instance
    alternative: "Instance | None" = None  # built by the other arm of an `if` …
    merged: "Instance | None" = None  # … and the instance standing for either of the two
    # A user layer whose constructor was handed layers (`Pair(norm, norm)`) or whose defaults hold one:
    # its class with the attributes this construction gave it (a `ClassInfo`), so that a call of the
    # instance walks its forward over the very layers it holds.
    bound: object = None
    class_of: object = None  # the `ClassInfo` of a user layer (the class it was built as)
    # The file whose code built it and its constructor call there. For a factory or block of another
    # module that is that module's file, while `node` is the call in the checked file that led there.
    origin: tuple[str, ast.AST] | None = None

    def feature_axis(self) -> int | None:
        return self.spec.axis(self.arguments) if self.spec else None

    def name(self) -> str:
        return self.label or f"{self.class_name}(...)"


@dataclass(frozen=True)
class Branch:
    """One arm of an `if` (or a guard whose arm returns) on the way to a call."""

    condition: object  # the `if` node's id, or the text of a test on one flag (`self.pre_norm`)
    token: int  # differs between two walks of the same `if` (loop iterations, inlined calls)
    arm: str


@dataclass(eq=False)
class CallEvent:
    """One execution of a layer call in one modelled forward pass."""

    instance: Instance
    key: object  # which element of a family of distinct instances (None for a single instance)
    node: ast.Call
    inputs: tuple[Shape | None, ...]
    branches: tuple[Branch, ...]
    loop: ast.AST | None  # the innermost loop around the call, if any
    repeat: bool  # produced by a later iteration of that loop
    entry: str  # the forward method or function the pass starts from
    via: tuple[ast.Call, ...] = ()  # helper calls through which this call was reached
    # Its input was taken as (N, C) because it is a `Linear`'s output (`settle_ranks`), not stated.
    rank_assumed: bool = False
    slot: bool = False  # a slot of a Sequential listing the instance more than once, at the Sequential's call

    def feature(self) -> int | None:
        axis = self.instance.feature_axis()
        shape = self.inputs[0] if self.inputs else None
        return shape.size(axis) if shape is not None and axis is not None else None

    def feature_multiple(self) -> int | None:
        """A number the input's feature size is known to be a multiple of (`Shape.multiple`)."""
        axis = self.instance.feature_axis()
        shape = self.inputs[0] if self.inputs else None
        return shape.multiple(axis) if shape is not None and axis is not None else None

    def site(self) -> ast.AST:
        """The node to point at: the call itself, or the outermost helper call when inlined."""
        return self.via[0] if self.via else self.node


def exclusive(first: CallEvent, second: CallEvent) -> bool:
    """True when the two calls sit in different arms of one `if`, so they cannot both run."""
    arms = {(b.condition, b.token): b.arm for b in first.branches}
    return any(arms.get((b.condition, b.token), b.arm) != b.arm for b in second.branches)


@dataclass(eq=False)
class AliasedContainer:
    """`[Dense(8)] * 3`, `Sequential([bn, conv, bn])`: one instance filling several slots."""

    instance: Instance
    node: ast.AST
    count: int | None


@dataclass(eq=False)
class BuiltInForward:
    """A stateful layer constructed inside `call()`/`forward()` on every pass."""

    instance: Instance
    method: str
    stored: bool = False  # assigned to `self.x` and so created once, lazily
    built_before_call: bool = True  # Keras 3 marks the layer built before call() runs


@dataclass
class ModuleFacts:
    path: str
    events: list[CallEvent] = field(default_factory=list)
    aliased: list[AliasedContainer] = field(default_factory=list)
    built_in_forward: list[BuiltInForward] = field(default_factory=list)
    handed: set[int] = field(default_factory=set)  # instances handed into several slots of blocks (roads.py)
    # (how many events, the groups): every rule asks for the groups, and grouping compares each pair
    _groups: tuple[int, list[list[CallEvent]]] | None = field(default=None, repr=False, compare=False)

    def reuse_groups(self) -> list[list[CallEvent]]:
        """Events of one instance (and element) within one entry, in execution order, when there are
        at least two that can run in the same pass. Found once for the rules of a file (again only if
        events were added since)."""
        if self._groups is None or self._groups[0] != len(self.events):
            self._groups = (len(self.events), self._grouped())
        return self._groups[1]

    def _grouped(self) -> list[list[CallEvent]]:
        groups: dict[tuple, list[CallEvent]] = {}
        for event in self.events:
            groups.setdefault((event.entry, id(event.instance), event.key), []).append(event)
        chosen = [events for events in groups.values() if _two_can_run_together(events)]
        for events in chosen:
            settle_ranks(events)
        return chosen


def settle_ranks(events: list[CallEvent]) -> None:
    """Read the inputs of a layer that takes rank 2 or more (`BatchNorm1d`: (N, C) or (N, C, L)) as
    rank 2 when their rank is unknown and either one call's last axis has the size its constructor
    declares, or the layer declares none (`LazyBatchNorm1d`) and the input is a `Linear`'s output.

    The checker rarely knows the rank of a forward's argument, while the layer before the norm (a
    `Linear`) states the last axis. A call whose last axis matches the declared size says where the
    features are: at rank 2, axis 1 *is* the last axis, so another call's different last axis is a
    crash; at rank 3 the norm would be reading the sequence axis of a `Linear`'s output, which only
    works when that length happens to equal the feature count. A lazy norm declares nothing, so the
    conventional use decides, and only for a `Linear`'s output (`Shape.projected`): a BatchNorm1d after
    a Linear normalises its features, (N, C); over (N, L, C) it would normalise over L, itself the
    well-known mistake (code that means it transposes first, which drops the mark). Such calls are
    marked `rank_assumed` so that a finding can say what it took for granted. Otherwise nothing is
    assumed. Idempotent (the inputs become rank 2), so asking for the groups twice changes nothing."""
    instance = events[0].instance
    spec = instance.spec
    if spec is None or 2 not in spec.ranks or spec.axis(instance.arguments) != 1:
        return
    declared = spec.declared_size(instance.arguments)
    unranked = [e for e in events if _unranked_last(e) is not None]
    if declared is None and spec.declared_input is None:
        for event in unranked:
            if event.inputs[0].projected:  # type: ignore[union-attr]
                event.rank_assumed = True
                event.inputs = (event.inputs[0].with_rank(2), *event.inputs[1:])  # type: ignore[union-attr]
        return
    if declared is None or not any(_unranked_last(e) == declared for e in unranked):
        return
    for event in unranked:
        event.inputs = (event.inputs[0].with_rank(2), *event.inputs[1:])  # type: ignore[union-attr]


def _unranked_last(event: CallEvent) -> int | None:
    """The last-axis size of the call's input when its rank and axis 1 are unknown."""
    shape = event.inputs[0] if event.inputs else None
    if shape is None or shape.rank is not None or shape.size(1) is not None:
        return None
    return shape.size(-1)


def _two_can_run_together(events: list[CallEvent]) -> bool:
    """Whether two of the calls can both run in one pass. Exclusivity depends on the branches only,
    and two calls on the same branches are never exclusive: the pairs compared are those of distinct
    branches (one each), so a layer called thousands of times costs no square of the calls."""
    distinct: dict[tuple[Branch, ...], CallEvent] = {}
    for event in events:
        if event.branches in distinct:
            return True
        distinct[event.branches] = event
    representatives = list(distinct.values())
    charge = budget.current().charge
    for index, first in enumerate(representatives):
        charge(len(representatives) - index)
        if any(not exclusive(first, second) for second in representatives[index + 1:]):
            return True
    return False
