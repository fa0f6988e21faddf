"""The static side of the one reuse verdict (`layerlint.verdicts`): the modelled calls of one instance
put into the neutral view, judged there, and the result handed back in terms of the `CallEvent`s the
rules point at. The tracer fills the same view from recorded calls (`runtime/judge.py`), so the two
agree by construction on what counts as a crash, shared statistics, shared weights or harmless reuse.
"""

from __future__ import annotations

from layerlint import verdicts
from layerlint.static import budget
from layerlint.static.facts import CallEvent, exclusive
from layerlint.verdicts import sharing_kind

__all__ = ["Crash", "Shared", "crash_of", "declared_size", "judge", "reuse_of", "sharing_kind"]

# The rules test `isinstance(verdict, Crash)`: the classes themselves, not subscripted aliases.
Crash = verdicts.Crash
Shared = verdicts.Shared


def declared_size(event: CallEvent) -> int | None:
    """The input size a constructor fixes (`nn.BatchNorm2d(6)` -> 6), when the catalog says it does."""
    instance = event.instance
    traits = instance.traits
    if traits is None or not traits.pins_feature or instance.composite or traits.sizing != "constructor":
        return None
    return instance.spec.declared_size(instance.arguments) if instance.spec else None


def _charge(steps: int) -> None:
    budget.current().charge(steps)


def reuse_of(events: list[CallEvent]) -> verdicts.Reuse[CallEvent]:
    """The neutral view of the calls of one instance: sizes as the shapes state them, arms as the
    `if`s around each call, and the analysis budget charged for every comparison. Sizes are only
    worked out for an instance that pins them: nothing else reads them, and a layer may be called
    thousands of times."""
    instance = events[0].instance
    traits = instance.traits
    pins = traits is not None and traits.pins_feature and not instance.composite
    return verdicts.Reuse(
        layer=instance.name(), layer_class=instance.class_name, traits=traits,
        calls=tuple([verdicts.CallSite(event, event.feature() if pins else None, event.branches)
                     for event in events]),
        composite=instance.composite, pins_feature=pins, declared=declared_size(events[0]) if pins else None,
        exclusive=exclusive, charge=_charge)


def crash_of(events: list[CallEvent]) -> verdicts.Crash[CallEvent] | None:
    return verdicts.crash_of(reuse_of(events))


def judge(events: list[CallEvent]) -> verdicts.Crash[CallEvent] | verdicts.Shared[CallEvent] | None:
    """The verdict for the calls of one instance that can run in one pass (at least two)."""
    return verdicts.judge(reuse_of(events))
