"""LL004 repeated-instance-in-container."""

from __future__ import annotations

from typing import Iterable, Iterator

from layerlint.diagnostics import Applicability, Diagnostic, Related, Severity, Text
from layerlint.i18n import N_
from layerlint.static.facts import AliasedContainer, ModuleFacts
from layerlint.static.rules import messages as m
from layerlint.static.rules._roles import flag_intent, says_intended
from layerlint.static.rules._shared import COMMENT_REASON
from layerlint.static.rules.base import FixSpec, Invalid, Rule, RuleContext, Valid
from layerlint.static.verdicts import Crash, judge, sharing_kind


class RepeatedInstanceInContainer(Rule):
    """One layer instance fills several slots of a list or a Sequential.

    ## What it does
    Finds `[Dense(8)] * 3`, `nn.ModuleList([Block()] * n)`, `[layer for _ in range(n)]` and
    `Sequential([bn, conv, bn])`: a container that repeats one stateful instance instead of holding
    distinct ones. One instance is one finding: when the same list is spread again
    (`nn.Sequential(*layers)`) the other containers are shown as related places, not reported again.
    Intent written in the code moves the finding to LL003 (info): a comment on the line that says
    shared/tied/on purpose, or an `if` whose test names sharing (`if config.share_bbox_head:`) or
    whose other arm builds separate copies (`copy.deepcopy`, a comprehension of constructors).

    ## Why is this bad?
    List repetition copies the reference, not the layer. Every slot is the same object, so a "stack
    of three blocks" trains one block applied three times, and a layer that pins its input size
    crashes when the slots see different sizes. Maintainers of several public repositories confirmed
    this exact bug (`nn.ModuleList([Block(...)] * n)`).

    ## Example
    ```python
    self.blocks = [Dense(64)] * 3
    ```

    ## Use instead
    ```python
    self.blocks = [Dense(64) for _ in range(3)]
    ```

    ## Fix safety
    Unsafe: the parameter count and checkpoint keys change.
    """

    code = "LL004"
    name = "repeated-instance-in-container"
    severity = Severity.WARNING
    fix = FixSpec("comprehension", Applicability.UNSAFE)

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        for aliases, reason in repeated_instances(facts, context):
            if reason is None:
                yield container_diagnostic(self.code, self.name, self.severity, aliases, context, None)


def repeated_instances(facts: ModuleFacts, context: RuleContext) -> Iterator[tuple[list[AliasedContainer], Text | None]]:
    """One entry per stateful instance that fills several slots, with every container it fills (the
    first in the file is where the bug is reported, the others are related places: one bug, one
    finding, even when `layers = [block] * n` is spread again into `Sequential(*layers)`), and the
    reason the repetition looks intended, if any."""
    grouped: dict[int, list[AliasedContainer]] = {}
    crashed = _crashing_instances(facts)
    for alias in facts.aliased:
        traits = alias.instance.traits
        if id(alias.instance) in crashed:
            continue  # its slots give it two sizes: LL001 reports that crash, with this container and its fix
        if traits is not None and (traits.weights or traits.statistics):
            grouped.setdefault(id(alias.instance.node), []).append(alias)
    for aliases in grouped.values():
        aliases.sort(key=lambda a: (getattr(a.node, "lineno", 0), getattr(a.node, "col_offset", 0)))
        yield aliases, _intent(aliases, context)


def _crashing_instances(facts: ModuleFacts) -> set[int]:
    """The instances fed two sizes (`[conv] * n` over a 1-channel input, `Sequential([Input(3 ch), bn,
    Conv2D(16), bn])`): one bug, reported once, as the crash (issue 15, point 5)."""
    return {id(verdict.second.instance) for events in facts.reuse_groups()
            if isinstance(verdict := judge(events), Crash)}


def _intent(aliases: list[AliasedContainer], context: RuleContext) -> Text | None:
    lines = {aliases[0].instance.node.lineno} | {getattr(a.node, "lineno", 0) for a in aliases}
    if any(0 < n <= len(context.lines) and says_intended(context.lines[n - 1]) for n in lines):
        return Text(COMMENT_REASON)
    for alias in aliases:
        flag = flag_intent(alias.node, context.text)
        if flag is not None:
            return Text(flag[0], dict(flag[1]))
    return None


def container_diagnostic(code: str, name: str, severity: Severity, aliases: list[AliasedContainer],
                         context: RuleContext, reason: Text | None) -> Diagnostic:
    alias = aliases[0]
    instance = alias.instance
    count = alias.count
    kind = sharing_kind(instance.traits, instance.composite) if instance.traits is not None else None
    args = {"label": instance.name(), "cls": instance.class_name, "kind": kind, "reason": reason or "",
            "slots": Text(N_("{count} slots") if count else N_("several slots"), {"count": count}),
            "state": Text(N_("running statistics") if kind == "statistics" else N_("weights"))}
    template = (N_("one {cls} instance fills {slots} of this container: every slot shares its {state}")
                if reason is None else
                N_("one {cls} instance fills {slots} of this container: every slot shares its {state}; "
                   "{reason}: looks intended"))
    related = [Related(context.span(other.node), Text(N_("the same instance fills this container too"), args))
               for other in aliases[1:]]
    related.append(Related(context.span(instance.node), Text(N_("the one {cls} instance is created here"), args)))
    return Diagnostic(
        code=code, name=name, severity=severity, span=context.span(alias.node),
        message=Text(template, args),
        help=Text(m.CONTAINER_HELP, args),
        related=tuple(related),
        fix=context.fix(RepeatedInstanceInContainer, alias) if reason is None else None,
        layer=instance.name(), layer_class=instance.class_name,
    )


def intended_containers(facts: ModuleFacts, context: RuleContext) -> Iterator[Diagnostic]:
    """The repetitions whose intent is written in the code: reported by LL003 (info), not LL004."""
    for aliases, reason in repeated_instances(facts, context):
        if reason is not None:
            yield container_diagnostic("LL003", "shared-weights", Severity.INFO, aliases, context, reason)


# Examples: the test suite checks each one statically and runs the `# run:` ones with the real framework.
VALID = (
    Valid("""\
# A comprehension builds a new layer per slot; repeating a stateless layer is harmless.
import keras
from keras import layers


class Stack(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [layers.Dense(8) for _ in range(3)]
        self.acts = [layers.ReLU()] * 3

    def call(self, x):
        for block, act in zip(self.blocks, self.acts):
            x = act(block(x))
        return x

# run: Stack() on (2, 8)
"""),
    Valid("""\
# copy.deepcopy in a comprehension makes distinct modules (the Transformer "clones" helper).
import copy

import torch.nn as nn


def clones(module, n):
    return nn.ModuleList([copy.deepcopy(module) for _ in range(n)])


class Encoder(nn.Module):
    def __init__(self, depth=4):
        super().__init__()
        self.layers = clones(nn.Linear(32, 32), depth)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

# run: Encoder() on (2, 32)
"""),
)

INVALID = (
    Invalid("""\
# List repetition copies the reference: three slots, one Dense.
import keras
from keras import layers


class Stack(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [layers.Dense(8)] * 3  # expect: LL004

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return x

# run: Stack() on (2, 8)
""", fixed="""\
# List repetition copies the reference: three slots, one Dense.
import keras
from keras import layers


class Stack(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [layers.Dense(8) for _ in range(3)]  # expect: LL004

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return x

# run: Stack() on (2, 8)
"""),
    Invalid("""\
# One BatchNormalization placed twice in a Sequential, around a convolution that changes the channels.
import keras
from keras import layers

norm = layers.BatchNormalization()
model = keras.Sequential([norm, layers.Conv2D(16, 3), norm])  # expect: LL004
""", no_fix="a Sequential listing one instance twice: which slot gets a new instance is a choice"),
    Invalid("""\
# A comprehension that repeats an existing instance instead of building new ones.
import keras
from keras import layers


def make_heads():
    head = layers.Dense(4)
    return [head for _ in range(3)]  # expect: LL004
""", no_fix="a comprehension repeating an existing instance"),
    Invalid("""\
# nn.ModuleList([Block(...)] * n) puts one module in every slot.
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, depth=4):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(32, 32)] * depth)  # expect: LL004

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

# run: Encoder() on (2, 32)
""", fixed="""\
# nn.ModuleList([Block(...)] * n) puts one module in every slot.
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, depth=4):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(32, 32) for _ in range(depth)])  # expect: LL004

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

# run: Encoder() on (2, 32)
"""),
)

RepeatedInstanceInContainer.VALID = VALID
RepeatedInstanceInContainer.INVALID = INVALID
