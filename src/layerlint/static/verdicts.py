"""One judgement of a reused instance, shared by the static rules and the runtime tracer so the two
always agree on what counts as a crash, shared statistics, shared weights or harmless reuse."""

from __future__ import annotations

from dataclasses import dataclass

from layerlint.catalog import LayerTraits
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
    declared = declared_size(events[0])
    if declared is not None:
        for event in events:
            received = event.feature()
            if received is not None and received != declared:
                matching = next((e for e in events if e is not event and e.feature() == declared), None)
                return Crash(matching or event, event, declared, received, declared=True)
        return None
    for index, first in enumerate(events):
        expected = first.feature()
        if expected is None:
            continue
        for second in events[index + 1:]:
            received = second.feature()
            if received is not None and received != expected and not exclusive(first, second):
                return Crash(first, second, expected, received, declared=False)
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
