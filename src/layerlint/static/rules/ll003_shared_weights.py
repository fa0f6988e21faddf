"""LL003 shared-weights."""

from __future__ import annotations

from typing import Iterable

from layerlint.diagnostics import Applicability, Diagnostic, Severity
from layerlint.static.facts import ModuleFacts
from layerlint.static.rules import messages as m
from layerlint.static.rules._shared import decisions, shared_state_diagnostic
from layerlint.static.rules.base import FixSpec, Invalid, Rule, RuleContext, Valid
from layerlint.static.rules.ll004_repeated_instance_in_container import intended_containers


class SharedWeights(Rule):
    """A layer with trainable weights is called more than once per pass: the calls share its weights.

    ## What it does
    Finds one instance of a layer with trainable weights (`Dense`, `Conv2D`, `nn.Linear`, a whole
    sub-model) called at two places or in a loop, on inputs of equal or unknown feature size.
    Off by default: select it with `--select LL003`.

    It is also where layerlint puts sharing that looks designed, with the reason in the message
    ("… : looks intended"), so a reviewer can still see it:

    * an affine-only normalization (`LayerNormalization`, `GroupNorm`, `RMSNorm`) whose calls play
      the same role: repeated by a loop, applied to the output of the same block on several
      streams, re-applied to its own output, applied by one helper to each input, or feeding the
      same block every time (LL002 explains the roles);
    * any shared layer, running statistics included, whose construction or call line carries a
      comment saying so (`# shared on purpose`, `# tied`, `# intended`);
    * a container filled with one instance under a flag that asks for sharing
      (`if config.share_bbox_head:`) or whose other arm builds separate copies (LL004 otherwise).

    ## Why is this bad?
    Often it is not: siamese towers, tied embeddings, recurrent blocks and a final norm applied to
    every decoder output share weights on purpose. When it is an accident, one set of weights is
    trained for two jobs and the parameter count is lower than the architecture intends. This
    rule lists every such place for review.

    ## Example
    ```python
    a = self.encoder(left)
    b = self.encoder(right)   # one encoder, two inputs
    ```

    ## Use instead
    Keep it when the sharing is intended; otherwise create one instance per call site.

    ## Fix safety
    Splitting the instance is an unsafe fix: it changes the parameter count and checkpoint keys.
    """

    code = "LL003"
    name = "shared-weights"
    severity = Severity.INFO
    fix = FixSpec("split_instance", Applicability.UNSAFE)
    enabled_by_default = False

    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        for decision in decisions(facts, context):
            if decision.code != self.code:
                continue
            template = m.LL003_SHARED if decision.reason is None else m.LL003_INTENDED
            yield shared_state_diagnostic(self, decision, context, template, m.LL003_HELP)
        yield from intended_containers(facts, context)


# Examples: the test suite checks each one statically and runs the `# run:` ones with the real framework.
VALID = (
    Valid("""\
# Distinct instances: nothing is shared.
import keras
from keras import layers


class TwoHeads(keras.Model):
    def __init__(self):
        super().__init__()
        self.head_a = layers.Dense(4)
        self.head_b = layers.Dense(4)

    def call(self, x):
        return self.head_a(x) + self.head_b(x)

# run: TwoHeads() on (2, 4)
"""),
)

INVALID = (
    Invalid("""\
# Siamese encoder: one Dense applied to two inputs of the same width.
import keras
from keras import layers


class Siamese(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = layers.Dense(16)

    def call(self, inputs):
        left, right = inputs
        return self.encoder(left) - self.encoder(right)  # expect: LL003

# run: Siamese() on (2, 8); (2, 8)
""", fixed="""\
# Siamese encoder: one Dense applied to two inputs of the same width.
import keras
from keras import layers


class Siamese(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = layers.Dense(16)
        self.encoder_2 = layers.Dense(16)

    def call(self, inputs):
        left, right = inputs
        return self.encoder(left) - self.encoder_2(right)  # expect: LL003

# run: Siamese() on (2, 8); (2, 8)
"""),
    Invalid("""\
# Recurrent refinement: the same block applied three times.
import keras
from keras import layers


class Recurrent(keras.Model):
    def __init__(self):
        super().__init__()
        self.step = layers.Dense(8, activation="tanh")

    def call(self, x):
        for _ in range(3):
            x = self.step(x)  # expect: LL003
        return x

# run: Recurrent() on (2, 8)
""", no_fix="one call in a loop"),
    Invalid("""\
# Tied weights in PyTorch: one projection applied to query and key.
import torch.nn as nn


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(16, 16)

    def forward(self, inputs):
        query, key = inputs
        return self.proj(query) * self.proj(key)  # expect: LL003

# run: Tied() on (2, 16); (2, 16)
""", fixed="""\
# Tied weights in PyTorch: one projection applied to query and key.
import torch.nn as nn


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(16, 16)
        self.proj_2 = nn.Linear(16, 16)

    def forward(self, inputs):
        query, key = inputs
        return self.proj(query) * self.proj_2(key)  # expect: LL003

# run: Tied() on (2, 16); (2, 16)
"""),
)

SharedWeights.VALID = VALID
SharedWeights.INVALID = INVALID
