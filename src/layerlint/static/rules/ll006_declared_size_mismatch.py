"""LL006 declared-size-mismatch."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Diagnostic, Severity, Text
from layerlint.i18n import N_
from layerlint.static.facts import CallEvent, ModuleFacts
from layerlint.static.rules._origins import created_here
from layerlint.static.rules.base import Invalid, Rule, RuleContext, Valid, framework_name
from layerlint.static.rules.ll001_reuse_shape_mismatch import framework_error
from layerlint.static.verdicts import Crash, declared_size, judge


DECLARED_HERE = N_("declared here for {expected} features")


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
            if declared is not None and received is None and id(event.instance) not in seen:
                found = self._flattened(event, declared, context)
                if found is not None:
                    seen.add(id(event.instance))
                    yield found
                    continue
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
                related=tuple(created_here(context, instance, args, DECLARED_HERE)),
            )


    def _flattened(self, event: CallEvent, declared: int, context: RuleContext) -> Diagnostic | None:
        """A flattened tensor (`x.view(x.size(0), -1)` after 32 channels) has 32·k features, whatever
        the spatial size: a declared size that is not a multiple of 32 can never match."""
        factor = event.feature_multiple()
        if factor is None or declared % factor == 0:
            return None
        instance = event.instance
        crash = Crash(event, event, declared, 0, declared=True)
        args = {"label": instance.name(), "cls": instance.class_name, "expected": declared, "factor": factor,
                "framework": framework_name(instance), "error": framework_error(crash, f"{factor}k")}
        return Diagnostic(
            code=self.code, name=self.name, severity=self.severity, span=context.span(event.site()),
            message=Text(N_("`{label}` ({cls}) is declared for {expected} features but is fed a flattened "
                            "tensor of {factor} channels, a multiple of {factor} whatever its spatial size; "
                            "{framework} raises: {error}"), args),
            help=Text(N_("make the {cls} size {factor} times the flattened spatial size, or use its Lazy "
                         "variant"), args),
            related=tuple(created_here(context, instance, args, DECLARED_HERE)),
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
    Valid("""\
# Flattened after 16 channels: 256 is 16 times the 4x4 map, a size a flattened tensor can have.
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(256, 10)

    def forward(self, x):
        x = self.features(x)
        return self.head(x.view(x.size(0), -1))

# run: Classifier() on (2, 3, 8, 8)
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
    Invalid("""\
# Flattened after 12 channels, then a Linear for 100 features: 12·k is never 100, whatever the image size.
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 12, 3)
        self.head = nn.Linear(100, 10)

    def forward(self, x):
        x = torch.flatten(self.conv(x), 1)
        return self.head(x)  # expect: LL006

# run: Classifier() on (2, 1, 8, 8)
""", no_fix="LL006 has no automatic fix"),
)

DeclaredSizeMismatch.VALID = VALID
DeclaredSizeMismatch.INVALID = INVALID
