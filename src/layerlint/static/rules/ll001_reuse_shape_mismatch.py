"""LL001 reuse-shape-mismatch."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Applicability, Diagnostic, Related, Severity, Text
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules import messages as m
from layerlint.static.rules._origins import created_here
from layerlint.static.rules.ll004_repeated_instance_in_container import RepeatedInstanceInContainer
from layerlint.static.rules.base import (FixSpec, Invalid, Rule, RuleContext, Valid, framework_name, snake_case,
                                         split_names)
from layerlint.static.verdicts import Crash, judge


class ReuseShapeMismatch(Rule):
    """A reused layer instance gets a feature size other than the one it is fixed to: it will crash.

    ## What it does
    Finds one layer instance called at two places (or in two iterations of a loop) whose inputs
    provably differ in the feature axis, where the layer fixes that size: at its first call (Keras
    layers and PyTorch `Lazy*` modules build their weights for the first input) or in its
    constructor (`nn.BatchNorm2d(6)`, `nn.Linear(16, 8)`).

    ## Why is this bad?
    The second call raises. In the classic case one `BatchNormalization` follows a 6-channel and
    then a 16-channel convolution; Keras 3 stops with "expected axis -1 of input shape
    to have value 6, but received input with shape (2, 9, 9, 16)", and PyTorch with "running_mean
    should contain 16 elements not 6". The crash comes at the first forward pass, often deep in a
    training script, and the framework's message does not say which line built the layer.

    ## Known problems
    Sizes are tracked only where the source states them (literal constructor arguments,
    `Input(shape=...)`); where a size is unknown the rule stays silent and LL002/LL003 may report
    the reuse instead. One assumption is made, and the finding says so: a `LazyBatchNorm1d` fed a
    `Linear`'s output of unstated rank reads it as (N, C), its conventional use (over (N, L, C) it
    would normalise over L); a transpose, reshape, `Embedding` or `LSTM` on the way means nothing is
    assumed.

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
    Splitting the instance is a safe fix: the code could not run before. An instance repeated by a
    container (`[conv] * n`) is shown with that container, and fixed by building one instance per
    slot, as LL004 would (not reported again as LL004), safe for the same reason.
    """

    code = "LL001"
    name = "reuse-shape-mismatch"
    severity = Severity.ERROR
    fix = FixSpec("split_instance", Applicability.SAFE)

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        for events in facts.reuse_groups():
            verdict = judge(events)
            if isinstance(verdict, Crash):
                yield self._diagnostic(verdict, context, events, facts)

    def _diagnostic(self, crash: Crash, context: RuleContext, events: list, facts: ModuleFacts) -> Diagnostic:
        instance = crash.second.instance
        first_line = context.span(crash.first.site()).line
        # One call node twice: two slots of a Sequential listing the layer twice, or a loop; a call that
        # is its own pair (no call matched the declared size: `self.fc(self.fc(x))`), two calls in one
        # helper or two Sequentials listing it once each are neither.
        same_call = crash.second is not crash.first and crash.second.node is crash.first.node
        where = Text(m.LL001_NEXT_SLOT if same_call and crash.second.slot
                     else m.LL001_NEXT_ITERATION if same_call else m.LL001_HERE)
        assumed = crash.first.rank_assumed or crash.second.rank_assumed
        if assumed:
            where = Text(m.LL001_ASSUMED_RANK, {"where": where, "cls": instance.class_name})
        error = framework_error(crash)
        args = {"label": instance.name(), "cls": instance.class_name, "expected": crash.expected,
                "received": crash.received, "line": first_line, "where": where,
                "framework": framework_name(instance), "error": error}
        template = m.LL001_DECLARED if crash.declared else m.LL001_BUILT
        first_note = m.LL001_FIRST_DECLARED if crash.declared else m.LL001_FIRST_BUILT
        if assumed and not crash.declared:
            first_note = m.LL001_FIRST_ASSUMED
        related = created_here(context, instance, args)
        if crash.first is not crash.second:
            related.insert(0, Related(context.span(crash.first.site()), Text(first_note, args)))
        # Slots of a container filled with this one instance (`[conv] * n`): the cause, shown here
        # rather than as a second finding (LL004 leaves a crashing instance to this one), with its fix.
        containers = [alias for alias in facts.aliased if alias.instance is instance]
        related[:0] = [Related(context.span(alias.node), Text(m.LL001_CONTAINER, args)) for alias in containers]
        fix = context.fix(self, events)
        if fix is None and containers:  # one instance per slot: safe too, as the code could not run
            fix = context.fix(self, containers[0], builder=RepeatedInstanceInContainer.fix.builder)
        names = split_names(instance.name(), 2)
        return Diagnostic(
            code=self.code, name=self.name, severity=self.severity,
            span=context.span(crash.second.site()),
            message=Text(template, args),
            help=(Text(m.CONTAINER_HELP, {"cls": instance.class_name}) if containers else
                  Text(m.LL001_HELP, {"cls": instance.class_name, "first": names[0], "second": names[1]})),
            related=tuple(related),
            fix=fix,
            layer=instance.name(),
            layer_class=instance.class_name,
        )


def framework_error(crash: Crash, received: str | None = None) -> str:
    """The framework's own error for this crash, from the catalog's measured template (`received`
    stands for a size known only as a multiple, e.g. "32k")."""
    instance = crash.second.instance
    template = instance.traits.reuse_error if instance.traits else None
    if not template:
        return m.UNKNOWN_ERROR
    shape = crash.second.inputs[0] if crash.second.inputs else None
    axis = instance.feature_axis()
    described = shape.describe(axis) if shape is not None and axis is not None else f"(..., {crash.received})"
    rank = shape.rank if shape is not None else None
    if instance.framework == "tf_keras" and axis is not None and axis < 0 and rank:
        axis += rank  # tf.keras prints the axis counted from the front; Keras 3 as it was declared
    values = {"expected": crash.expected, "received": received or crash.received, "received_shape": described,
              "layer": snake_case(instance.class_name), "class": instance.class_name, "axis": axis}
    return template.format_map(_Keep(values))


class _Keep(dict):
    """Leaves a placeholder the catalog template uses but the checker cannot fill as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# Examples: the test suite checks each one statically and runs the `# run:` ones with the real framework.
VALID = (
    Valid("""\
# The seed article's corrected model: one BatchNormalization per convolution, one shared MaxPool2D.
from keras import Model
from keras.layers import BatchNormalization, Conv2D, MaxPool2D


class FeatureExtractor(Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = Conv2D(6, 4, padding="valid", activation="relu")
        self.bn1 = BatchNormalization()
        self.maxpool = MaxPool2D(2, 2)
        self.conv_2 = Conv2D(16, 4, padding="valid", activation="relu")
        self.bn2 = BatchNormalization()

    def call(self, x):
        x = self.maxpool(self.bn1(self.conv_1(x)))
        return self.maxpool(self.bn2(self.conv_2(x)))

# run: FeatureExtractor() on (2, 28, 28, 1)
"""),
    Valid("""\
# Two calls in exclusive branches: only one runs per pass.
import keras
from keras import layers


class Switch(keras.Model):
    def __init__(self, wide=False):
        super().__init__()
        self.wide = wide
        self.narrow_conv = layers.Conv2D(6, 3)
        self.wide_conv = layers.Conv2D(16, 3)
        self.norm = layers.BatchNormalization()

    def call(self, x):
        if self.wide:
            x = self.norm(self.wide_conv(x))
        else:
            x = self.norm(self.narrow_conv(x))
        return x

# run: Switch() on (2, 8, 8, 3)
"""),
    Valid("""\
# A guard that returns early makes the later call exclusive with the guarded one.
import keras
from keras import layers


class Early(keras.Model):
    def __init__(self, small=True):
        super().__init__()
        self.small = small
        self.to_small = layers.Dense(4)
        self.to_large = layers.Dense(12)
        self.head = layers.Dense(2)

    def call(self, x):
        if self.small:
            return self.head(self.to_small(x))
        return self.head(self.to_large(x))

# run: Early() on (2, 8)
"""),
    Valid("""\
# Stateless layers are safe to reuse whatever the channel count.
import keras
from keras import layers


class Pools(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_a = layers.Conv2D(6, 3, padding="same")
        self.conv_b = layers.Conv2D(16, 3, padding="same")
        self.pool = layers.MaxPool2D()
        self.act = layers.ReLU()

    def call(self, x):
        x = self.pool(self.act(self.conv_a(x)))
        return self.pool(self.act(self.conv_b(x)))

# run: Pools() on (2, 16, 16, 3)
"""),
    Valid("""\
# PyTorch stateless modules (ReLU, MaxPool2d, Dropout) are safe to reuse at any size.
import torch.nn as nn


class Pools(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 6, 3, padding=1)
        self.conv_b = nn.Conv2d(6, 16, 3, padding=1)
        self.act = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = self.drop(self.pool(self.act(self.conv_a(x))))
        return self.drop(self.pool(self.act(self.conv_b(x))))

# run: Pools() on (2, 3, 16, 16)
"""),
)

INVALID = (
    Invalid("""\
# The seed article's model: one BatchNormalization after a 6-channel and a 16-channel convolution.
from tensorflow.keras import Model
from tensorflow.keras.layers import BatchNormalization, Conv2D, MaxPool2D


class FeatureExtractor(Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = Conv2D(6, 4, padding="valid", activation="relu")
        self.batchnorm = BatchNormalization()
        self.maxpool = MaxPool2D(pool_size=2, strides=2)
        self.conv_2 = Conv2D(16, 4, padding="valid", activation="relu")

    def call(self, x):
        x = self.conv_1(x)
        x = self.batchnorm(x)
        x = self.maxpool(x)
        x = self.conv_2(x)
        x = self.batchnorm(x)  # expect: LL001
        x = self.maxpool(x)
        return x

# run: FeatureExtractor() on (2, 28, 28, 1)
""", fixed="""\
# The seed article's model: one BatchNormalization after a 6-channel and a 16-channel convolution.
from tensorflow.keras import Model
from tensorflow.keras.layers import BatchNormalization, Conv2D, MaxPool2D


class FeatureExtractor(Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = Conv2D(6, 4, padding="valid", activation="relu")
        self.batchnorm = BatchNormalization()
        self.batchnorm_2 = BatchNormalization()
        self.maxpool = MaxPool2D(pool_size=2, strides=2)
        self.conv_2 = Conv2D(16, 4, padding="valid", activation="relu")

    def call(self, x):
        x = self.conv_1(x)
        x = self.batchnorm(x)
        x = self.maxpool(x)
        x = self.conv_2(x)
        x = self.batchnorm_2(x)  # expect: LL001
        x = self.maxpool(x)
        return x

# run: FeatureExtractor() on (2, 28, 28, 1)
""", fixed_shape=(2, 4, 4, 16)),
    Invalid("""\
# A loop feeds a Dense its own, different-sized output on the second iteration.
import keras
from keras import layers


class Refiner(keras.Model):
    def __init__(self):
        super().__init__()
        self.embed = layers.Dense(16)
        self.refine = layers.Dense(32)

    def call(self, x):
        x = self.embed(x)
        for _ in range(2):
            x = self.refine(x)  # expect: LL001
        return x

# run: Refiner() on (2, 8)
""", no_fix="one call in a loop: the call site cannot be split by adding attributes"),
    Invalid("""\
# Functional API: one Dense applied to its own 4-feature output after an 8-feature input.
import keras
from keras import layers


def build_model():
    inputs = keras.Input(shape=(8,))
    shared = layers.Dense(4)
    hidden = shared(inputs)
    outputs = shared(hidden)  # expect: LL001
    return keras.Model(inputs, outputs)

# run: build_model() on (2, 8)
""", fixed="""\
# Functional API: one Dense applied to its own 4-feature output after an 8-feature input.
import keras
from keras import layers


def build_model():
    inputs = keras.Input(shape=(8,))
    shared = layers.Dense(4)
    shared_2 = layers.Dense(4)
    hidden = shared(inputs)
    outputs = shared_2(hidden)  # expect: LL001
    return keras.Model(inputs, outputs)

# run: build_model() on (2, 8)
""", fixed_shape=(2, 4)),
    Invalid("""\
# tf.keras spelling; a LayerNormalization shared by a 6-feature and a 16-feature tensor.
import tensorflow as tf


class Fusion(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.proj_a = tf.keras.layers.Dense(6)
        self.proj_b = tf.keras.layers.Dense(10)
        self.norm = tf.keras.layers.LayerNormalization()
        self.concat = tf.keras.layers.Concatenate()

    def call(self, x):
        a = self.norm(self.proj_a(x))
        fused = self.concat([a, self.proj_b(x)])
        return self.norm(fused)  # expect: LL001

# run: Fusion() on (2, 5)
""", fixed="""\
# tf.keras spelling; a LayerNormalization shared by a 6-feature and a 16-feature tensor.
import tensorflow as tf


class Fusion(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.proj_a = tf.keras.layers.Dense(6)
        self.proj_b = tf.keras.layers.Dense(10)
        self.norm = tf.keras.layers.LayerNormalization()
        self.norm_2 = tf.keras.layers.LayerNormalization()
        self.concat = tf.keras.layers.Concatenate()

    def call(self, x):
        a = self.norm(self.proj_a(x))
        fused = self.concat([a, self.proj_b(x)])
        return self.norm_2(fused)  # expect: LL001

# run: Fusion() on (2, 5)
""", fixed_shape=(2, 16)),
    Invalid("""\
# The reuse hides in a helper method that call() uses twice.
import keras
from keras import layers


class Blocks(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_a = layers.Conv2D(8, 3, padding="same")
        self.conv_b = layers.Conv2D(16, 3, padding="same")
        self.norm = layers.BatchNormalization()

    def block(self, x, conv):
        return self.norm(conv(x))

    def call(self, x):
        x = self.block(x, self.conv_a)
        return self.block(x, self.conv_b)  # expect: LL001

# run: Blocks() on (2, 8, 8, 3)
""", no_fix="the call site is one helper-method call reached twice with two sizes"),
    Invalid("""\
# The seed article's model in PyTorch: BatchNorm2d(6) reused after a 16-channel convolution.
import torch.nn as nn
import torch.nn.functional as F


class FeatureExtractor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_1 = nn.Conv2d(1, 6, 4)
        self.bn = nn.BatchNorm2d(6)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv_2 = nn.Conv2d(6, 16, 4)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv_1(x))))
        x = self.pool(F.relu(self.bn(self.conv_2(x))))  # expect: LL001
        return x

# run: FeatureExtractor() on (2, 1, 28, 28)
""", fixed="""\
# The seed article's model in PyTorch: BatchNorm2d(6) reused after a 16-channel convolution.
import torch.nn as nn
import torch.nn.functional as F


class FeatureExtractor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_1 = nn.Conv2d(1, 6, 4)
        self.bn = nn.BatchNorm2d(6)
        self.bn_2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv_2 = nn.Conv2d(6, 16, 4)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv_1(x))))
        x = self.pool(F.relu(self.bn_2(self.conv_2(x))))  # expect: LL001
        return x

# run: FeatureExtractor() on (2, 1, 28, 28)
""", fixed_shape=(2, 16, 4, 4)),
    Invalid("""\
# `[conv] * n` repeats one Conv2D: built for the 1-channel input, it then gets its own 8 channels. One bug,
# one finding: the crash, showing the container, whose fix builds one instance per slot (no LL004 too).
import keras
from keras import layers


def build(n=3):
    inputs = keras.Input(shape=(16, 16, 1))
    convs = [layers.Conv2D(8, 3, padding="same")] * n
    h = inputs
    for conv in convs:
        h = conv(h)  # expect: LL001
    return keras.Model(inputs, h)

# run: build() on (2, 16, 16, 1)
""", fixed="""\
# `[conv] * n` repeats one Conv2D: built for the 1-channel input, it then gets its own 8 channels. One bug,
# one finding: the crash, showing the container, whose fix builds one instance per slot (no LL004 too).
import keras
from keras import layers


def build(n=3):
    inputs = keras.Input(shape=(16, 16, 1))
    convs = [layers.Conv2D(8, 3, padding="same") for _ in range(n)]
    h = inputs
    for conv in convs:
        h = conv(h)  # expect: LL001
    return keras.Model(inputs, h)

# run: build() on (2, 16, 16, 1)
""", fixed_shape=(2, 16, 16, 8)),
    Invalid("""\
# A lazy module sizes itself on the first call, like Keras: the second call sees 32 features, not 16.
from torch import nn


class LazyStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 16)
        self.hidden = nn.LazyLinear(32)

    def forward(self, x):
        x = self.hidden(self.proj(x))
        return self.hidden(x)  # expect: LL001

# run: LazyStack() on (2, 8)
""", fixed="""\
# A lazy module sizes itself on the first call, like Keras: the second call sees 32 features, not 16.
from torch import nn


class LazyStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 16)
        self.hidden = nn.LazyLinear(32)
        self.hidden_2 = nn.LazyLinear(32)

    def forward(self, x):
        x = self.hidden(self.proj(x))
        return self.hidden_2(x)  # expect: LL001

# run: LazyStack() on (2, 8)
""", fixed_shape=(2, 32)),
)

ReuseShapeMismatch.VALID = VALID
ReuseShapeMismatch.INVALID = INVALID
