"""LL002 shared-normalization-state."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Applicability, Diagnostic, Severity
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules import messages as m
from layerlint.static.rules._shared import decisions, shared_state_diagnostic
from layerlint.static.rules.base import FixSpec, Invalid, Rule, RuleContext, Valid


class SharedNormalizationState(Rule):
    """A normalization layer is called more than once per pass in a way that looks accidental.

    ## What it does
    Finds one normalization instance called at two places, or in a loop, on inputs of equal or
    unknown feature size (different sizes are a crash: LL001). The severity follows what the calls
    share and how they use it:

    * **Running statistics** (`BatchNormalization`, `nn.BatchNorm2d`, `SyncBatchNorm`,
      `InstanceNorm` with `track_running_stats=True`): reported here as a warning, wherever the calls
      are. Every training call updates one moving mean and variance. A user class deriving from a
      framework normalization (`class FrozenBN(nn.BatchNorm2d)`) is judged like its base.
    * **Only a scale and an offset** (`LayerNormalization`, `GroupNorm`, `RMSNorm`, a BatchNorm
      with `track_running_stats=False`): that is weight sharing. It is reported here, as a warning,
      only when the calls play *different roles*: their inputs come from different layers (one
      follows `conv1` and another `conv2`; one normalizes the attention input and another the MLP
      input; one normalizes the query and another the memory). The message lists each call's input.

    **When it stays quiet.** An affine-only norm whose calls play *the same role* is designed
    sharing, reported by LL003 (info, off by default) with the reason: one call repeated by a loop
    (every decoder layer's output, every pyramid level, every frame); the same chain of layers
    applied to several streams (each call normalizes what one block produced, XLNet's content and
    query streams, siamese towers); a norm re-applied to its own output (the same final norm on the
    sequence and on its first token); one helper function applying it to each of its inputs; every
    output feeding the same block (one mask predictor after every decoder stage); every output
    scaled by its own part of one conditioning projection (an adaptive norm shared by the two
    streams of a joint-attention block); one input that stands in for the other
    (`kv = memory if memory is not None else x`,
    `if key_value is None: key_value = inputs`: self-attention is the case where the two
    coincide, so one norm keeps it exact); an extra call that runs only under a flag of its own
    (`if self.use_task_norm: token = self.decoder_norm(token)`). A norm applied to each piece of
    one input in turn (`for part in x.chunk(n): self.bn(part)`, ghost batch normalization) sees
    one distribution: LL003 too, running statistics included. A comment on the
    construction line or on a call line that says so (`# shared on purpose`, `# tied`, `# intended`)
    moves any sharing, running statistics included, to LL003. Calls that cannot run together are
    never a finding: the two arms of one flag (`if self.pre_norm:` … `if not self.pre_norm:`,
    `x if self.post_norm else self.norm(x)`), a call under `if x is not None:` right after
    `x = None`, and the repeated calls a test function makes to exercise one layer.

    ## Why is this bad?
    A shared BatchNorm runs, and that is the problem: both call sites update one moving mean and
    variance, so at inference every site is normalized with statistics mixed from two different
    distributions. Nothing fails; the model just trains worse and infers differently from how it
    trained. A LayerNorm shared between two roles trains one gamma/beta for two jobs that the
    architecture meant to keep apart (the OLMo issue "Sequential Olmo block should not have shared
    layernorm", allenai/OLMo#222, is this bug). Keras and PyTorch both expect one normalization
    instance per logical operation.

    ## Known problems
    Roles are read from the source around each call (which layer produced its input, which layer
    takes its output), within one function: a producer reached through another module, or a value
    passed through a container, reads as unknown, and unknown inputs count as different roles.
    Two calls inside a helper that `forward()` calls once are judged at the helper's lines (they
    are two calls, not a loop). The rule cannot see who a norm was meant for: in matching and
    cross-attention code (one norm for the query and the memory) it warns when nothing in the code
    ties the two inputs together, even where the paper does it on purpose; say so on the line.
    Reusing a whole sub-network that contains normalization (a siamese tower) is reported by LL003,
    not here: sharing the tower, statistics included, is usually the intent. `allow-shared` in the
    configuration and `# noqa: LL002` silence a finding too.

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
    If the sharing is deliberate, say so on the line: `x = self.norm(x)  # shared on purpose`.

    ## Fix safety
    Splitting the instance is an unsafe fix: it changes the parameter count and checkpoint keys.
    """

    code = "LL002"
    name = "shared-normalization-state"
    severity = Severity.WARNING
    fix = FixSpec("split_instance", Applicability.UNSAFE)

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        for decision in decisions(facts, context):
            if decision.code != self.code:
                continue
            template = m.LL002_SHARED if decision.roles is None else m.LL002_ROLES  # None: running statistics
            yield shared_state_diagnostic(self, decision, context, template, m.LL002_HELP)


# Examples: the test suite checks each one statically and runs the `# run:` ones with the real framework.
VALID = (
    Valid("""\
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
"""),
    Valid("""\
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
"""),
    Valid("""\
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
"""),
    Valid("""\
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
"""),
    Valid("""\
# Designed sharing: one final LayerNorm applied to every decoder layer's output (auxiliary losses)
# and to the last one, as DETR does. The calls play one role: LL003 info, not a warning.
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, width=16, depth=3):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.norm = nn.LayerNorm(width)

    def forward(self, x):
        intermediate = []
        for layer in self.layers:
            x = layer(x)
            intermediate.append(self.norm(x))  # expect: LL003
        return self.norm(x), intermediate

# run: Decoder() on (2, 16)
"""),
    Valid("""\
# Intent written in the code: a comment on the call line says the statistics are shared on purpose.
import torch.nn as nn


class TwoViews(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, inputs):
        left, right = inputs
        a = self.bn(self.conv(left))
        b = self.bn(self.conv(right))  # shared on purpose: one set of statistics  # expect: LL003, LL003
        return a + b

# run: TwoViews() on (2, 3, 8, 8); (2, 3, 8, 8)
"""),
)

INVALID = (
    Invalid("""\
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
""", fixed="""\
# Same 16 channels twice: runs, and the two convolutions share moving mean and variance.
import keras
from keras import layers


class Twice(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_a = layers.Conv2D(16, 3, padding="same")
        self.conv_b = layers.Conv2D(16, 3, padding="same")
        self.norm = layers.BatchNormalization()
        self.norm_2 = layers.BatchNormalization()

    def call(self, x):
        x = self.norm(self.conv_a(x))
        return self.norm_2(self.conv_b(x))  # expect: LL002

# run: Twice() on (2, 8, 8, 3)
"""),
    Invalid("""\
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
""", no_fix="one call in a loop"),
    Invalid("""\
# Functional API with the tf_keras package: one LayerNormalization for two branches of equal width.
import tf_keras as keras


def build_model():
    inputs = keras.Input(shape=(6,))
    norm = keras.layers.LayerNormalization()
    a = norm(keras.layers.Dense(6)(inputs))
    b = norm(keras.layers.Dense(6)(inputs))  # expect: LL002
    return keras.Model(inputs, keras.layers.Add()([a, b]))

# run: build_model() on (2, 6)
""", fixed="""\
# Functional API with the tf_keras package: one LayerNormalization for two branches of equal width.
import tf_keras as keras


def build_model():
    inputs = keras.Input(shape=(6,))
    norm = keras.layers.LayerNormalization()
    norm_2 = keras.layers.LayerNormalization()
    a = norm(keras.layers.Dense(6)(inputs))
    b = norm_2(keras.layers.Dense(6)(inputs))  # expect: LL002
    return keras.Model(inputs, keras.layers.Add()([a, b]))

# run: build_model() on (2, 6)
"""),
    Invalid("""\
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
""", fixed="""\
# PyTorch: one BatchNorm2d(16) after two 16-channel convolutions runs and mixes their statistics.
import torch.nn as nn


class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 16, 3, padding=1)
        self.conv_b = nn.Conv2d(16, 16, 3, padding=1)
        self.norm = nn.BatchNorm2d(16)
        self.norm_2 = nn.BatchNorm2d(16)

    def forward(self, x):
        x = self.norm(self.conv_a(x))
        return self.norm_2(self.conv_b(x))  # expect: LL002

# run: Twice() on (2, 3, 8, 8)
"""),
    Invalid("""\
# Accident: one LayerNorm normalizes the attention input and the MLP input (different roles).
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.attn = nn.Linear(width, width)
        self.mlp = nn.Linear(width, width)

    def forward(self, x):
        x = x + self.attn(self.norm(x))
        return x + self.mlp(self.norm(x))  # expect: LL002

# run: Block() on (2, 4, 16)
""", fixed="""\
# Accident: one LayerNorm normalizes the attention input and the MLP input (different roles).
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.norm_2 = nn.LayerNorm(width)
        self.attn = nn.Linear(width, width)
        self.mlp = nn.Linear(width, width)

    def forward(self, x):
        x = x + self.attn(self.norm(x))
        return x + self.mlp(self.norm_2(x))  # expect: LL002

# run: Block() on (2, 4, 16)
"""),
)

SharedNormalizationState.VALID = VALID
SharedNormalizationState.INVALID = INVALID
