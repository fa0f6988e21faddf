"""LL005 layer-created-in-forward."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Diagnostic, Severity, Text
from layerlint.i18n import N_
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules.base import Rule, RuleContext


class LayerCreatedInForward(Rule):
    """A layer with weights is constructed inside `call()`/`forward()`: new weights on every pass.

    ## What it does
    Finds a stateful layer (`Dense(...)`, `nn.Linear(...)`, `BatchNormalization()`) constructed in a
    model's forward method or in a method it calls, rather than in `__init__` or `build`. Layers
    created once and stored on `self` (`if self.head is None: self.head = Dense(10)`) are not
    reported; stateless layers (`ReLU()`) are harmless here and not reported.

    ## Why is this bad?
    Every forward pass builds a fresh layer with freshly initialised weights, so nothing is ever
    trained: in Keras the optimizer never sees the variables (inside `tf.function` it fails with a
    variable-creation error), in PyTorch the module is not registered, so it is missing from
    `parameters()`, `state_dict()` and `.to(device)`.

    ## Example
    ```python
    def call(self, x):
        return layers.Dense(10)(x)
    ```

    ## Use instead
    ```python
    def __init__(self):
        super().__init__()
        self.head = layers.Dense(10)

    def call(self, x):
        return self.head(x)
    ```

    ## Fix safety
    Moving the construction to `__init__` is safe when its arguments only use constructor-time values.
    """

    code = "LL005"
    name = "layer-created-in-forward"
    severity = Severity.WARNING

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        seen: set[int] = set()
        for built in facts.built_in_forward:
            traits = built.instance.traits
            if traits is None or not (traits.weights or traits.statistics) or id(built.instance.node) in seen:
                continue
            seen.add(id(built.instance.node))
            args = {"cls": built.instance.class_name, "method": built.method}
            yield Diagnostic(
                code=self.code, name=self.name, severity=self.severity, span=context.span(built.instance.node),
                message=Text(N_("{cls} is constructed inside `{method}()`: every call creates a new layer "
                                "with fresh, untrained weights"), args),
                help=Text(N_("create it once in `__init__` (or `build`) and call that instance here"), args),
            )
