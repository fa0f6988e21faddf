"""LL005 layer-created-in-forward."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Applicability, Diagnostic, Severity, Text
from layerlint.i18n import N_
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules._roles import built_by_builder, cached_on_self
from layerlint.static.rules.base import FixSpec, Invalid, Rule, RuleContext, Valid


class LayerCreatedInForward(Rule):
    """A layer with weights is constructed inside `call()`/`forward()`: new weights on every pass.

    ## What it does
    Finds a stateful layer (`Dense(...)`, `nn.Linear(...)`, `BatchNormalization()`) constructed in a
    model's forward method or in a method it calls, rather than in `__init__` or `build`. Stateless
    layers (`ReLU()`) are harmless here and not reported.

    A layer created once and stored on `self` (`if self.head is None: self.head = Dense(10)`) works
    in tf.keras and PyTorch and is not reported there. Keras 3 refuses it ("You cannot add new
    elements of state (variables or sub-layers) to a layer that is already built") when the layer is
    built before `call()` runs — it has a `build()` of its own, or no sub-layers to build — and
    that case is reported with error severity; a layer that Keras builds by running `call()` (no
    `build()`, unbuilt sub-layers) may create state there. In tf_keras code, sub-layers created by
    a builder method that `call()` reaches (`_build_from_signature`, `_make_output_dense`) are the
    Keras 2 lazy-build idiom, created once and tracked: not reported. Neither is a layer built by a
    method whose decorator keeps the first result on the instance (`functools.cached_property`, or
    a decorator of the same file that reads `getattr(self, key)` and stores with `setattr`, like
    BYOL's `@singleton('projector')`), nor a Keras `RNN` around a cell that holds no weights.

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
    fix = FixSpec("move_to_init", Applicability.SAFE)

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        seen: set[int] = set()
        for built in facts.built_in_forward:
            traits = built.instance.traits
            if traits is None or not (traits.weights or traits.statistics) or id(built.instance.node) in seen:
                continue
            seen.add(id(built.instance.node))
            args = {"cls": built.instance.class_name, "method": built.method}
            stored = built.stored or cached_on_self(built.instance.node, context.text)
            if stored and (built.instance.framework != "keras" or not built.built_before_call):
                continue
            if built.instance.framework == "tf_keras" and built_by_builder(built.instance.node, context.text):
                continue  # tf_keras tracks what a lazy builder method stores, lists included
            if stored:
                severity = Severity.ERROR
                message = N_("{cls} is created inside `{method}()` of a built layer; Keras 3 raises: ValueError: "
                             "You cannot add new elements of state (variables or sub-layers) to a layer that is "
                             "already built (fine on tf_keras / TF_USE_LEGACY_KERAS=1)")
            else:
                severity = self.severity
                message = N_("{cls} is constructed inside `{method}()`: every call creates a new layer with "
                             "fresh, untrained weights")
            yield Diagnostic(
                code=self.code, name=self.name, severity=severity, span=context.span(built.instance.node),
                message=Text(message, args),
                help=Text(N_("create it once in `__init__` (or `build`) and call that instance here"), args),
                fix=context.fix(self, built, facts),
            )


# Examples: the test suite checks each one statically and runs the `# run:` ones with the real framework.
VALID = (
    Valid("""\
# tf.keras tracks a layer created once, lazily, on the first call; a stateless layer built inline is harmless.
import tf_keras as keras
from tf_keras import layers


class Lazy(keras.Model):
    def __init__(self):
        super().__init__()
        self.head = None

    def call(self, x):
        if self.head is None:
            self.head = layers.Dense(4)
        return layers.ReLU()(self.head(x))

# run: Lazy() on (2, 8)
"""),
)

INVALID = (
    Invalid("""\
# A new Dense, with new random weights, on every call.
import keras
from keras import layers


class Fresh(keras.Model):
    def call(self, x):
        return layers.Dense(4)(x)  # expect: LL005

# run: Fresh() on (2, 8)
""", fixed="""\
# A new Dense, with new random weights, on every call.
import keras
from keras import layers


class Fresh(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dense = layers.Dense(4)

    def call(self, x):
        return self.dense(x)  # expect: LL005

# run: Fresh() on (2, 8)
"""),
    Invalid("""\
# Keras 3 refuses new state in a built layer: the lazy pattern that tf.keras allowed now raises.
import keras
from keras import layers


class Lazy(keras.Model):
    def __init__(self):
        super().__init__()
        self.head = None

    def call(self, x):
        if self.head is None:
            self.head = layers.Dense(4)  # expect: LL005
        return self.head(x)

# run: Lazy() on (2, 8)
""", fixed="""\
# Keras 3 refuses new state in a built layer: the lazy pattern that tf.keras allowed now raises.
import keras
from keras import layers


class Lazy(keras.Model):
    def __init__(self):
        super().__init__()
        self.head = layers.Dense(4)

    def call(self, x):
        return self.head(x)

# run: Lazy() on (2, 8)
"""),
    Invalid("""\
# PyTorch: a module built in forward() is not registered: not trained, not saved, not moved to the GPU.
import torch.nn as nn


class Head(nn.Module):
    def forward(self, x):
        return nn.Linear(8, 2)(x)  # expect: LL005

# run: Head() on (2, 8)
""", fixed="""\
# PyTorch: a module built in forward() is not registered: not trained, not saved, not moved to the GPU.
import torch.nn as nn


class Head(nn.Module):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.linear = nn.Linear(8, 2)

    def forward(self, x):
        return self.linear(x)  # expect: LL005

# run: Head() on (2, 8)
"""),
)

LayerCreatedInForward.VALID = VALID
LayerCreatedInForward.INVALID = INVALID
