"""The one judgement of a reused layer instance, for the static checker and the runtime tracer alike.

Both origins describe what they know in the same neutral terms (`CallSite`, `Reuse`): the instance
as the code names it, its class and catalog traits, and per call the size of its input's feature
axis and where it is. This module then decides, for both, whether the calls crash (a size other than
the one the instance is fixed to), share running statistics, share weights, or share nothing worth
a word. It imports neither `static` nor `runtime`: what differs between the origins is how they
fill the view (a modelled call in the source, or a call recorded while the model ran), not the
verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from layerlint.catalog import LayerTraits

C = TypeVar("C")  # what an origin calls one call: a static `CallEvent`, a runtime `CallRecord`


class CallSite(NamedTuple, Generic[C]):
    """One call of the instance: the origin's own object for it, the size of its first input's
    feature axis (None when unknown), and the branch arms it sits in. Two calls on the same arms can
    always run together; calls on different arms may exclude each other (`Reuse.exclusive`). A tuple:
    a layer called thousands of times makes thousands of these per verdict."""

    call: C
    feature: int | None
    arms: Hashable = ()


def _never(first: object, second: object) -> bool:
    return False


def _free(steps: int) -> None:
    return None


@dataclass(frozen=True)
class Reuse(Generic[C]):
    """The calls of one instance that can run in one pass (at least two), in execution order.

    `pins_feature`: the instance keeps the feature size it was first given or declared for (the
    catalog's `pins`, or a call the tracer saw raise on another size). `declared`: the size its
    constructor fixes, when that is known (a literal argument, or the size of a call that ran)."""

    layer: str  # how the code names the instance: `self.norm`, `encoder.blocks[1].norm`
    layer_class: str
    traits: LayerTraits | None
    calls: tuple[CallSite[C], ...]
    composite: bool = False  # a model, a Sequential, a user layer holding layers
    pins_feature: bool = False
    declared: int | None = None
    exclusive: Callable[[C, C], bool] = _never  # whether two calls cannot both run
    charge: Callable[[int], None] = _free  # the static analysis's work budget; free at runtime


@dataclass(frozen=True)
class Crash(Generic[C]):
    """Two calls that cannot both match the size the instance is fixed to."""

    first: C  # the call that builds (or matches) the instance's size
    second: C  # the call that will raise
    expected: int
    received: int
    declared: bool  # the size comes from the constructor (PyTorch), not from the first call


@dataclass(frozen=True)
class Shared(Generic[C]):
    """A reuse that runs, sharing state between calls: kind is "statistics" or "weights"."""

    kind: str
    events: tuple[C, ...]

    @property
    def reported(self) -> C:
        """The call a finding points at: the second, where the sharing starts."""
        return self.events[1]


def sharing_kind(traits: LayerTraits, composite: bool) -> str | None:
    """What two calls of one instance share, when they run: "statistics" (running statistics that
    every training call updates: BatchNorm, SyncBatchNorm, InstanceNorm with `track_running_stats`,
    any layer keeping buffers or non-trainable variables), "weights" (trainable parameters only,
    which includes the scale and offset of affine-only normalizations such as LayerNorm, GroupNorm
    and RMSNorm), or nothing worth a word. Mixing two data distributions in one moving mean is a
    silent bug; sharing a LayerNorm's gamma/beta is weight sharing, often the design of the model."""
    if not composite and traits.statistics:
        return "statistics"
    if traits.weights or traits.statistics:
        return "weights"
    return None


def judge(reuse: Reuse[C]) -> Crash[C] | Shared[C] | None:
    """The verdict on one reuse: a crash first (it stops the pass, so nothing else matters), then
    what the calls share."""
    crash = crash_of(reuse)
    if crash is not None:
        return crash
    kind = sharing_kind(reuse.traits, reuse.composite) if reuse.traits is not None else None
    return Shared(kind, tuple(site.call for site in reuse.calls)) if kind else None


def crash_of(reuse: Reuse[C]) -> Crash[C] | None:
    if not reuse.pins_feature or reuse.composite:
        return None
    sites = reuse.calls
    reuse.charge(len(sites))
    if reuse.declared is not None:
        return _against_declared(sites, reuse.declared)
    return _first_mismatch(reuse, list(sites))


def _against_declared(sites: Sequence[CallSite[C]], declared: int) -> Crash[C] | None:
    """The first call of another size than the constructor's, paired with a call of the right size
    (the one a fix keeps on the original instance), or with itself when there is none."""
    for site in sites:
        if site.feature is not None and site.feature != declared:
            matching = next((s for s in sites if s is not site and s.feature == declared), site)
            return Crash(matching.call, site.call, declared, site.feature, declared=True)
    return None


def _first_mismatch(reuse: Reuse[C], sites: list[CallSite[C]]) -> Crash[C] | None:
    """The earliest pair (in execution order) of calls with different sizes that can run together.

    A call only needs trying as the first of a pair when no earlier call had the same size on the same
    arms: that one would have met every partner this one can meet. So the work is the number of
    distinct (size, arms) pairs times the number of calls, not the square of the calls (a layer
    called 20 000 times, or in nested loops, stays linear)."""
    tried: set[tuple[int, Hashable]] = set()
    for index, first in enumerate(sites):
        if first.feature is None or (first.feature, first.arms) in tried:
            continue
        tried.add((first.feature, first.arms))
        partner = _first_partner(reuse, first, first.feature, sites[index + 1:])
        if partner is not None:
            second, received = partner
            return Crash(first.call, second.call, first.feature, received, declared=False)
    return None


def _first_partner(reuse: Reuse[C], first: CallSite[C], expected: int,
                   later: list[CallSite[C]]) -> tuple[CallSite[C], int] | None:
    """The first later call of another size that is not exclusive with `first`; exclusivity depends on
    the arms only, so it is decided once per distinct arms."""
    reuse.charge(len(later))
    excluded: dict[Hashable, bool] = {}
    for second in later:
        received = second.feature
        if received is None or received == expected:
            continue
        if second.arms not in excluded:
            excluded[second.arms] = reuse.exclusive(first.call, second.call)
        if not excluded[second.arms]:
            return second, received
    return None
