"""LL002 shared-normalization-state."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.i18n import N_
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules._shared import decisions, shared_state_diagnostic
from layerlint.static.rules.base import Rule, RuleContext


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
    not here: sharing the tower, statistics included, is usually the intent. Some architectures share
    a normalization on purpose (the two streams of XLNet-style attention, one output norm applied to
    every decoder layer's result); mark those with `# noqa: LL002`. Two `if` tests on the same flag
    (`if self.pre_norm:` … `if not self.pre_norm:`) are understood as exclusive.

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
        for decision in decisions(facts, context):
            if decision.code != self.code:
                continue
            if decision.roles is None:  # running statistics
                template = N_("`{label}` ({cls}) is called {how}: the calls silently share its {state}")
            else:
                template = N_("`{label}` ({cls}) is called {how} on inputs in different roles ({inputs}): one "
                              "set of {state} serves them all")
            yield shared_state_diagnostic(
                self.code, self.name, self.severity, decision, context, template,
                N_("give each call site its own {cls}; if the sharing is intended, say so in a comment on "
                   "the line (`# shared on purpose`)"))


# Examples: the test suite checks each one statically and runs the `# run:` ones with the real framework.
VALID = (
    """\
# Pre-norm or post-norm, chosen by one flag: the two calls test the same condition and never both run.
import keras
from keras import layers


class Block(keras.layers.Layer):
    def __init__(self, normalize_first=True):
        super().__init__()
        self.normalize_first = normalize_first
        self.norm = layers.LayerNormalization()
        self.dense = layers.Dense(8)

    def call(self, x):
        residual = x
        if self.normalize_first:
            x = self.norm(x)
        x = self.dense(x) + residual
        if not self.normalize_first:
            x = self.norm(x)
        return x

# run: Block() on (2, 8)
# run: Block(normalize_first=False) on (2, 8)
""",
    """\
# A siamese tower (a whole sub-network) applied twice: sharing it, statistics included, is the intent.
import keras
from keras import layers


class Siamese(keras.Model):
    def __init__(self):
        super().__init__()
        self.tower = keras.Sequential([layers.Dense(8), layers.BatchNormalization()])

    def call(self, inputs):
        left, right = inputs
        a = self.tower(left)
        b = self.tower(right)  # expect: LL003
        return a - b

# run: Siamese() on (2, 4); (2, 4)
""",
    """\
# LayerNormalization without center and scale keeps no state at all.
import keras
from keras import layers


class Plain(keras.Model):
    def __init__(self):
        super().__init__()
        self.proj_a = layers.Dense(8)
        self.proj_b = layers.Dense(8)
        self.norm = layers.LayerNormalization(center=False, scale=False)

    def call(self, x):
        return self.norm(self.proj_a(x)) + self.norm(self.proj_b(x))

# run: Plain() on (2, 4)
""",
    """\
# BatchNorm2d(affine=False, track_running_stats=False) keeps no state: sharing it is harmless.
import torch.nn as nn


class Plain(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 16, 3, padding=1)
        self.conv_b = nn.Conv2d(16, 16, 3, padding=1)
        self.norm = nn.BatchNorm2d(16, affine=False, track_running_stats=False)

    def forward(self, x):
        return self.norm(self.conv_b(self.norm(self.conv_a(x))))

# run: Plain() on (2, 3, 8, 8)
""",
)

INVALID = (
    """\
# Same 16 channels twice: runs, and the two convolutions share moving mean and variance.
import keras
from keras import layers


class Twice(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_a = layers.Conv2D(16, 3, padding="same")
        self.conv_b = layers.Conv2D(16, 3, padding="same")
        self.norm = layers.BatchNormalization()

    def call(self, x):
        x = self.norm(self.conv_a(x))
        return self.norm(self.conv_b(x))  # expect: LL002

# run: Twice() on (2, 8, 8, 3)
""",
    """\
# One BatchNormalization in a loop body: every iteration updates the same statistics.
import keras
from keras import layers


class Stack(keras.Model):
    def __init__(self):
        super().__init__()
        self.convs = [layers.Conv2D(8, 3, padding="same") for _ in range(3)]
        self.norm = layers.BatchNormalization()

    def call(self, x):
        for conv in self.convs:
            x = self.norm(conv(x))  # expect: LL002
        return x

# run: Stack() on (2, 8, 8, 3)
""",
    """\
# Functional API with the tf_keras package: one LayerNormalization for two branches of equal width.
import tf_keras as keras


def build_model():
    inputs = keras.Input(shape=(6,))
    norm = keras.layers.LayerNormalization()
    a = norm(keras.layers.Dense(6)(inputs))
    b = norm(keras.layers.Dense(6)(inputs))  # expect: LL002
    return keras.Model(inputs, keras.layers.Add()([a, b]))

# run: build_model() on (2, 6)
""",
    """\
# PyTorch: one BatchNorm2d(16) after two 16-channel convolutions runs and mixes their statistics.
import torch.nn as nn


class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 16, 3, padding=1)
        self.conv_b = nn.Conv2d(16, 16, 3, padding=1)
        self.norm = nn.BatchNorm2d(16)

    def forward(self, x):
        x = self.norm(self.conv_a(x))
        return self.norm(self.conv_b(x))  # expect: LL002

# run: Twice() on (2, 3, 8, 8)
""",
)

SharedNormalizationState.VALID = VALID
SharedNormalizationState.INVALID = INVALID
