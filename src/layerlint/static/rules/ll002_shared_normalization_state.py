"""LL002 shared-normalization-state."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.i18n import N_
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules._shared import shared_state_diagnostic
from layerlint.static.rules.base import Rule, RuleContext
from layerlint.static.verdicts import Shared, judge


class SharedNormalizationState(Rule):
    """A normalization layer is called more than once per pass: its statistics are silently shared.

    ## What it does
    Finds one instance of a layer that keeps running statistics or per-feature normalization
    parameters (`BatchNormalization`, `LayerNormalization`, `nn.BatchNorm2d`…) called at two places,
    or in a loop, on inputs of equal or unknown feature size.

    ## Why is this bad?
    It runs, and that is the problem: both call sites update one moving mean and variance and train
    one gamma/beta, so activations of different depths are normalized with mixed statistics. Nothing
    fails; the model just trains worse and infers differently from how it trained. The seed article
    asks for one normalization instance per logical operation.

    ## Known problems
    Reusing a whole sub-network that contains normalization (a siamese tower) is reported by LL003,
    not here: sharing the tower, statistics included, is usually the intent.

    ## Example
    ```python
    x = self.norm(self.conv_a(x))
    x = self.norm(self.conv_b(x))   # same 16 channels: shares moving statistics
    ```

    ## Use instead
    ```python
    x = self.norm_a(self.conv_a(x))
    x = self.norm_b(self.conv_b(x))
    ```
    If the sharing is deliberate, say so with `# noqa: LL002`.

    ## Fix safety
    Splitting the instance is an unsafe fix: it changes the parameter count and checkpoint keys.
    """

    code = "LL002"
    name = "shared-normalization-state"
    severity = Severity.WARNING

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        for events in facts.reuse_groups():
            verdict = judge(events)
            if isinstance(verdict, Shared) and verdict.kind == "statistics" and not verdict.primary.instance.aliased_in:
                yield shared_state_diagnostic(
                    self.code, self.name, self.severity, verdict, context,
                    N_("`{label}` ({cls}) is called {how}: the calls silently share its running statistics "
                       "and normalization parameters"),
                    N_("give each call site its own {cls}; if the sharing is intended, add `# noqa: LL002`"))
