"""One judgement of a reused instance, shared by the static rules and the runtime tracer so the two
always agree on what counts as a crash, shared statistics, shared weights or harmless reuse."""

from __future__ import annotations

from dataclasses import dataclass

from layerlint.catalog import LayerTraits
from layerlint.static import budget
from layerlint.static.facts import CallEvent, exclusive


@dataclass(frozen=True)
class Crash:
    """Two calls that cannot both match the size the instance is fixed to."""

    first: CallEvent  # the call that builds (or matches) the instance's size
    second: CallEvent  # the call that will raise
    expected: int
    received: int
    declared: bool  # the size comes from the constructor (PyTorch), not from the first call


@dataclass(frozen=True)
class Shared:
    """A reuse that runs, sharing state between calls: kind is "statistics" or "weights"."""

    kind: str
    events: tuple[CallEvent, ...]

    @property
    def primary(self) -> CallEvent:
        return self.events[1]


def declared_size(event: CallEvent) -> int | None:
    """The input size a constructor fixes (`nn.BatchNorm2d(6)` -> 6), when the catalog says it does."""
    instance = event.instance
    traits = instance.traits
    if traits is None or not traits.pins_feature or instance.composite or traits.sizing != "constructor":
        return None
    return instance.spec.declared_size(instance.arguments) if instance.spec else None


def crash_of(events: list[CallEvent]) -> Crash | None:
    instance = events[0].instance
    traits = instance.traits
    if traits is None or not traits.pins_feature or instance.composite:
        return None
    features = [event.feature() for event in events]
    budget.current().charge(len(events))
    declared = declared_size(events[0])
    if declared is not None:
        for event, received in zip(events, features):
            if received is not None and received != declared:
                matching = next((e for e, f in zip(events, features) if e is not event and f == declared), None)
                return Crash(matching or event, event, declared, received, declared=True)
        return None
    return _first_mismatch(events, features)


def _first_mismatch(events: list[CallEvent], features: list[int | None]) -> Crash | None:
    """The earliest pair (in execution order) of calls with different sizes that can run together.

    A call only needs trying as the first of a pair when no earlier call had the same size on the same
    branches: that one would have met every partner this one can meet. So the work is the number of
    distinct (size, branches) pairs times the number of calls, not the square of the calls (a layer
    called 20 000 times, or in nested loops, stays linear)."""
    tried: set[tuple] = set()
    for index, (first, expected) in enumerate(zip(events, features)):
        if expected is None or (expected, first.branches) in tried:
            continue
        tried.add((expected, first.branches))
        second = _first_partner(first, expected, events[index + 1:], features[index + 1:])
        if second is not None:
            return Crash(first, second[0], expected, second[1], declared=False)
    return None


def _first_partner(first: CallEvent, expected: int, later: list[CallEvent],
                   features: list[int | None]) -> tuple[CallEvent, int] | None:
    """The first later call of another size that is not exclusive with `first`; exclusivity depends on
    the branches only, so it is decided once per distinct branches."""
    budget.current().charge(len(later))
    excluded: dict[tuple, bool] = {}
    for second, received in zip(later, features):
        if received is None or received == expected:
            continue
        if second.branches not in excluded:
            excluded[second.branches] = exclusive(first, second)
        if not excluded[second.branches]:
            return second, received
    return None


def sharing_kind(traits: LayerTraits, composite: bool) -> str | None:
    """What two calls of one instance share, when they run: "statistics" (running statistics that
    every training call updates: BatchNorm, SyncBatchNorm, InstanceNorm with `track_running_stats`,
    any layer keeping buffers or non-trainable variables), "weights" (trainable parameters only,
    which includes the scale and offset of affine-only normalizations such as LayerNorm, GroupNorm
    and RMSNorm), or nothing worth a word. Mixing two data distributions in one moving mean is a
    silent bug; sharing a LayerNorm's gamma/beta is weight sharing, often the design of the model.
    The static rules and the runtime tracer both decide through this one function."""
    if not composite and traits.statistics:
        return "statistics"
    if traits.weights or traits.statistics:
        return "weights"
    return None


def judge(events: list[CallEvent]) -> Crash | Shared | None:
    """The verdict for the calls of one instance that can run in one pass (at least two)."""
    crash = crash_of(events)
    if crash is not None:
        return crash
    instance = events[0].instance
    kind = sharing_kind(instance.traits, instance.composite) if instance.traits is not None else None
    return Shared(kind, tuple(events)) if kind else None
