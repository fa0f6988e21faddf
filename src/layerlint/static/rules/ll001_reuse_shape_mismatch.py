"""LL001 reuse-shape-mismatch."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Diagnostic, Related, Severity, Text
from layerlint.i18n import N_
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules.base import Rule, RuleContext, framework_name, snake_case, split_names
from layerlint.static.verdicts import Crash, judge


class ReuseShapeMismatch(Rule):
    """A reused layer instance gets a feature size other than the one it is fixed to: it will crash.

    ## What it does
    Finds one layer instance called at two places (or in two iterations of a loop) whose inputs
    provably differ in the feature axis, where the layer fixes that size: at its first call (Keras
    layers and PyTorch `Lazy*` modules build their weights for the first input) or in its
    constructor (`nn.BatchNorm2d(6)`, `nn.Linear(16, 8)`).

    ## Why is this bad?
    The second call raises. In the seed article's model one `BatchNormalization` follows a
    6-channel and then a 16-channel convolution; Keras 3 stops with "expected axis -1 of input shape
    to have value 6, but received input with shape (2, 9, 9, 16)", and PyTorch with "running_mean
    should contain 16 elements not 6". The crash comes at the first forward pass, often deep in a
    training script, and the framework's message does not say which line built the layer.

    ## Known problems
    Sizes are tracked only where the source states them (literal constructor arguments,
    `Input(shape=...)`); where a size is unknown the rule stays silent and LL002/LL003 may report
    the reuse instead.

    ## Example
    ```python
    self.batchnorm = BatchNormalization()
    ...
    x = self.batchnorm(self.conv_1(x))   # 6 channels
    x = self.batchnorm(self.conv_2(x))   # 16 channels: ValueError
    ```

    ## Use instead
    One instance per logical operation:
    ```python
    self.bn1 = BatchNormalization()
    self.bn2 = BatchNormalization()
    ```

    ## Fix safety
    Splitting the instance is a safe fix: the code could not run before.
    """

    code = "LL001"
    name = "reuse-shape-mismatch"
    severity = Severity.ERROR

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        for events in facts.reuse_groups():
            verdict = judge(events)
            if isinstance(verdict, Crash):
                yield self._diagnostic(verdict, context)

    def _diagnostic(self, crash: Crash, context: RuleContext) -> Diagnostic:
        instance = crash.second.instance
        first_line = context.span(crash.first.site()).line
        where = (N_("in the next iteration of the loop") if crash.second.site() is crash.first.site()
                 else N_("here"))
        error = _framework_error(crash)
        args = {"label": instance.name(), "cls": instance.class_name, "expected": crash.expected,
                "received": crash.received, "line": first_line, "where": Text(where),
                "framework": framework_name(instance), "error": error}
        if crash.declared:
            template = N_("`{label}` ({cls}) is declared for {expected} features but gets {received} "
                          "{where}; {framework} raises: {error}")
        else:
            template = N_("`{label}` ({cls}) is built for {expected} features by its call at line {line} "
                          "but gets {received} {where}; {framework} raises: {error}")
        first_note = (N_("called with {expected} features here") if crash.declared
                      else N_("first call: builds `{label}` for {expected} features"))
        related = [Related(context.span(instance.node), Text(N_("`{label}` is created here"), args))]
        if crash.first is not crash.second:
            related.insert(0, Related(context.span(crash.first.site()), Text(first_note, args)))
        names = split_names(instance.name(), 2)
        return Diagnostic(
            code=self.code, name=self.name, severity=self.severity,
            span=context.span(crash.second.site()),
            message=Text(template, args),
            help=Text(N_("give each call site its own {cls} instance, e.g. `{first}` and `{second}`"),
                      {"cls": instance.class_name, "first": names[0], "second": names[1]}),
            related=tuple(related),
        )


def _framework_error(crash: Crash) -> str:
    instance = crash.second.instance
    template = instance.traits.reuse_error if instance.traits else None
    if not template:
        return "an error on the mismatched input"
    shape = crash.second.inputs[0] if crash.second.inputs else None
    axis = instance.feature_axis()
    described = shape.describe(axis) if shape is not None and axis is not None else f"(..., {crash.received})"
    rank = shape.rank if shape is not None else None
    positive_axis = axis + rank if axis is not None and axis < 0 and rank else axis
    values = {"expected": crash.expected, "received": crash.received, "received_shape": described,
              "layer": snake_case(instance.class_name), "class": instance.class_name,
              "axis": positive_axis if positive_axis is not None else axis}
    return template.format_map(_Keep(values))


class _Keep(dict):
    """Leaves a placeholder the catalog template uses but the checker cannot fill as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
