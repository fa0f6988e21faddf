"""What LL002 and LL003 have in common: which reuse each of them reports, and the message shape.

The severity follows what is shared and how (the policy the rule pages explain):
  * running statistics (BatchNorm, SyncBatchNorm, InstanceNorm with `track_running_stats`): two
    data distributions are mixed in one moving mean and variance -> LL002, warning;
  * the scale and offset of an affine-only normalization (LayerNorm, GroupNorm, RMSNorm) are
    trainable weights: sharing them is an accident when the calls play different roles in the
    block (LL002, warning) and the design when they play the same role (LL003, info, reason named);
  * anything else with weights -> LL003, info;
  * a norm applied to each piece of one input (ghost batch normalization) sees one distribution,
    so even running statistics are designed sharing there -> LL003, info;
  * a comment on the construction or call line that says the sharing is intended -> LL003, info.
Both rules ask `decide()`, so one reuse is reported by exactly one of them, and only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from layerlint.diagnostics import Diagnostic, Related, Text
from layerlint.i18n import N_
from layerlint.static.facts import CallEvent, ModuleFacts, exclusive
from layerlint.static.rules import messages as m
from layerlint.static.rules._origins import created_here, foreign_origin
from layerlint.static.rules._roles import (Roles, chunks_of_one_input, flag_arms, intent_comment, judge_roles,
                                          one_call_per_walk, unreachable)
from layerlint.static.rules.base import Rule, RuleContext
from layerlint.static.verdicts import Shared, judge

COMMENT_REASON = N_("a comment on the line says the sharing is intended")
CHUNKS_REASON = N_("applied to each piece of one input in turn (ghost batch normalization, chunked evaluation): "
                   "one distribution")


@dataclass(frozen=True)
class Decision:
    """Which rule reports a shared instance, and why it is (or is not) judged intended."""

    code: str  # "LL002" or "LL003"
    shared: Shared
    reason: Text | None = None  # why it looks intended (LL003 on a normalization)
    roles: Roles | None = None  # the roles of the calls (LL002 on an affine-only normalization)
    elsewhere: bool = False  # the calls are in another module's code (a block this file hands it to)


def decisions(facts: ModuleFacts, context: RuleContext) -> Iterator[Decision]:
    """One decision per shared instance: a reuse reached again through a builder function's call
    (another entry of the same code) is the same bug and is not decided twice."""
    seen: list[tuple[int, object, frozenset]] = []
    groups = sorted(facts.reuse_groups(), key=lambda events: sum(1 for e in events if e.via))
    for events in groups:
        events = _live(events, context)
        if len(events) < 2:
            continue
        verdict = judge(events)
        if not isinstance(verdict, Shared) or verdict.reported.instance.aliased_in:
            continue
        instance = events[0].instance
        nodes = frozenset(id(e.node) for e in events)
        if any(node == id(instance.node) and key == events[0].key and nodes <= known
               for node, key, known in seen):
            continue
        seen.append((id(instance.node), events[0].key, nodes))
        decision = decide(verdict, facts, context)
        if decision is not None:
            yield decision


def _live(events: list[CallEvent], context: RuleContext) -> list[CallEvent]:
    """The calls that can run together: not in a dead arm (`x = None` … `if x is not None:`), not in a
    test function (a test calls one layer again and again to exercise it, not to build a model), and
    not exclusive with every other call (the other arm of the same flag)."""
    events = [e for e in events if not e.entry.rsplit(".", 1)[-1].startswith("test")
              and not unreachable(e, context.text)]
    flags = {id(e): flag_arms(e, context.text) for e in events}

    def apart(one: CallEvent, other: CallEvent) -> bool:
        mine, theirs = flags[id(one)], flags[id(other)]
        return exclusive(one, other) or any(theirs.get(flag, value) != value for flag, value in mine.items())

    return [e for e in events if any(o is not e and not apart(e, o) for o in events)]


def decide(shared: Shared, facts: ModuleFacts, context: RuleContext) -> Decision | None:
    events = list(shared.events)
    instance = events[0].instance
    traits = instance.traits
    if intent_comment(events, context.lines):
        return Decision("LL003", shared, Text(COMMENT_REASON))
    normalizes = traits is not None and traits.normalizes and not instance.composite
    if normalizes and chunks_of_one_input(events, context.text):
        return Decision("LL003", shared, Text(CHUNKS_REASON))
    if shared.kind == "statistics" or (id(instance) in facts.handed and traits is not None and traits.statistics):
        return Decision("LL002", shared)  # a block handed to every slot: no call repeats it on purpose
    if traits is None or not traits.normalizes or instance.composite:
        return Decision("LL003", shared)
    roles = judge_roles(events, facts, context.text)
    if roles.foreign:
        if foreign_origin(context, instance) is not None:
            return None  # the calls of an inherited forward: the file that holds them reports them
        # an instance of this file handed to another module's block (`Pair(norm, norm)`): that file
        # never sees the sharing, and its roles cannot be read here, so it is reported as an accident
        return Decision("LL002", shared, elsewhere=True)
    if roles.designed:
        return Decision("LL003", shared, Text(roles.reason, dict(roles.args)), roles)
    return Decision("LL002", shared, None, roles)


def shared_state_diagnostic(rule: Rule, decision: Decision, context: RuleContext, template: str,
                            help_template: str) -> Diagnostic:
    """Splitting a silently shared instance changes parameters and checkpoints: an unsafe fix."""
    shared = decision.shared
    instance = shared.reported.instance
    sites = list({id(event.site()): event.site() for event in shared.events}.values())  # distinct, in order
    nodes = list({id(event.node): event.node for event in shared.events}.values())
    in_loop = (len(sites) == 1 and len(nodes) == 1) or one_call_per_walk(list(shared.events))
    # One site but several calls: a helper called once holds them (`block(self.norm, ...)`): name its
    # lines, unless they are lines of another module (then the call here that reaches them).
    places = sites[:1] if in_loop else sites if len(sites) > 1 or decision.elsewhere else nodes
    spans = [context.span(place) for place in places]
    one_line = len({span.line for span in spans}) < len(spans)
    lines = ", ".join(f"{span.line}:{span.column}" if one_line else str(span.line) for span in spans)
    traits = instance.traits
    state = (m.STATE_STATISTICS if traits and traits.statistics
             else m.STATE_NORMALIZATION if traits and traits.normalizes else m.STATE_WEIGHTS)
    roles = decision.roles
    args = {"label": instance.name(), "cls": instance.class_name, "lines": lines, "state": Text(state),
            "count": len(sites), "how": _how(in_loop, decision.elsewhere, lines, len(shared.events),
                                              handed=in_loop and all(e.loop is None for e in shared.events),
                                              slots=len(nodes) == 1 and all(e.slot for e in shared.events)),
            "kind": shared.kind, "reason": decision.reason or "",
            "inputs": ", ".join(roles.inputs) if roles and roles.inputs else "?"}
    # calls in the arms of a class test: the first one stands for them all
    primary = places[0] if in_loop and len(nodes) > 1 else shared.reported.site()
    related = [Related(context.span(place), Text(m.ALSO_CALLED)) for place in places if place is not primary]
    if in_loop and shared.reported.loop is not None:
        related.append(Related(context.span(shared.reported.loop), Text(m.LOOP)))
    related.extend(created_here(context, instance, args))  # and the other module's line, if it built it
    return Diagnostic(code=rule.code, name=rule.name, severity=rule.severity, span=context.span(primary),
                      message=Text(template, args), help=Text(help_template, args), related=tuple(related),
                      fix=context.fix(rule, list(shared.events)), layer=instance.name(),
                      layer_class=instance.class_name)


def _how(in_loop: bool, elsewhere: bool, lines: str, calls: int, handed: bool, slots: bool = False) -> Text:
    """How the calls happen: in a loop, at these lines, in another module's code, through the blocks
    one instance was handed to (`Sequential(Residual(h), Residual(h))`: one call node, no loop), or in
    the slots of a Sequential that lists it twice."""
    if elsewhere:
        return Text(m.HOW_OTHER_MODULE, {"count": calls, "lines": lines})
    if slots:
        return Text(m.HOW_SLOTS, {"count": calls})
    if handed:
        return Text(m.HOW_HANDED, {"count": calls})
    return Text(m.HOW_LOOP if in_loop else m.HOW_LINES, {"lines": lines})
