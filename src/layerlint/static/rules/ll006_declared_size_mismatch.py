"""LL006 declared-size-mismatch."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Diagnostic, Related, Severity, Text
from layerlint.i18n import N_
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules.base import Invalid, Rule, RuleContext, Valid, framework_name
from layerlint.static.rules.ll001_reuse_shape_mismatch import framework_error
from layerlint.static.verdicts import Crash, declared_size, judge


class DeclaredSizeMismatch(Rule):
    """A module's constructor declares one input size and its caller feeds it another.

    ## What it does
    Finds a PyTorch module whose size is fixed by its constructor (`nn.BatchNorm2d(16)`,
    `nn.Linear(128, 10)`, `nn.LayerNorm(64)`) called on a tensor whose feature size the source states
    to be different (`nn.Conv2d(3, 8, 3)` feeding the `BatchNorm2d(16)`), even when the module is not
    reused. A reused module whose call sites disagree is reported by LL001 instead.

    ## Why is this bad?
    The call raises at the first forward pass ("running_mean should contain 8 elements not 16",
    "mat1 and mat2 shapes cannot be multiplied"). It usually means the module was copied from
    another place in the network and its size argument was not updated.

    ## Example
    ```python
    self.conv = nn.Conv2d(3, 8, 3)
    self.bn = nn.BatchNorm2d(16)
    ...
    return self.bn(self.conv(x))
    ```

    ## Use instead
    ```python
    self.bn = nn.BatchNorm2d(8)
    ```

    ## Fix safety
    No automatic fix: which of the two sizes is wrong is a design decision.
    """

    code = "LL006"
    name = "declared-size-mismatch"
    severity = Severity.ERROR

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        reported_by_reuse = {id(verdict.second) for verdict in map(judge, facts.reuse_groups())
                             if isinstance(verdict, Crash)}
        seen: set[int] = set()
        for event in facts.events:
            declared = declared_size(event)
            received = event.feature()
            if (declared is None or received is None or received == declared or id(event.instance) in seen
                    or id(event) in reported_by_reuse):
                continue
            seen.add(id(event.instance))
            instance = event.instance
            crash = Crash(event, event, declared, received, declared=True)
            args = {"label": instance.name(), "cls": instance.class_name, "expected": declared,
                    "received": received, "framework": framework_name(instance), "error": framework_error(crash)}
            yield Diagnostic(
                code=self.code, name=self.name, severity=self.severity, span=context.span(event.site()),
                message=Text(N_("`{label}` ({cls}) is declared for {expected} features but is fed {received}; "
                                "{framework} raises: {error}"), args),
                help=Text(N_("make the {cls} size match its input ({received}), or feed it what it declares"), args),
                related=(Related(context.span(instance.node), Text(N_("declared here for {expected} features"), args)),),
            )


# Examples: the test suite checks each one statically and runs the `# run:` ones with the real framework.
VALID = (
    Valid("""\
# Sizes agree: Conv2d(3, 8) feeds BatchNorm2d(8).
import torch.nn as nn


class ConvBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x):
        return self.bn(self.conv(x))

# run: ConvBlock() on (2, 3, 8, 8)
"""),
)

INVALID = (
    Invalid("""\
# A BatchNorm2d copied from a wider block: declared for 16 channels, fed 8.
import torch.nn as nn


class ConvBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(16)

    def forward(self, x):
        return self.bn(self.conv(x))  # expect: LL006

# run: ConvBlock() on (2, 3, 8, 8)
""", no_fix="LL006 has no automatic fix (which size is wrong is a design decision)"),
    Invalid("""\
# A Linear head whose in_features does not match the Linear before it.
from torch import nn


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(32, 64)
        self.out = nn.Linear(in_features=128, out_features=10)

    def forward(self, x):
        return self.out(self.hidden(x))  # expect: LL006

# run: Head() on (2, 32)
""", no_fix="LL006 has no automatic fix"),
)

DeclaredSizeMismatch.VALID = VALID
DeclaredSizeMismatch.INVALID = INVALID
