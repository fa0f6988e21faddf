"""Focused checks of the static analysis, pyflakes-style: a snippet and the codes it must give."""

from __future__ import annotations

import textwrap

import pytest

from layerlint.static.checker import Selection, check_source


def codes(source: str) -> list[str]:
    return [d.code for d in check_source(textwrap.dedent(source), "snippet.py", Selection(select=("ALL",)))]


KERAS_HEAD = """
import keras
from keras import layers

class M(keras.Model):
    def __init__(self):
        super().__init__()
"""
TORCH_HEAD = """
import torch.nn as nn

class M(nn.Module):
    def __init__(self):
        super().__init__()
"""


def model(head: str, init: str, forward: str, method: str = "call") -> str:
    return (textwrap.dedent(head) + textwrap.indent(textwrap.dedent(init), " " * 8)
            + f"\n    def {method}(self, x):\n" + textwrap.indent(textwrap.dedent(forward), " " * 8))


@pytest.mark.parametrize("spelling", [
    "from tensorflow.keras.layers import BatchNormalization as BN\nbn = BN()",
    "import tensorflow as tf\nbn = tf.keras.layers.BatchNormalization()",
    "from tensorflow import keras\nbn = keras.layers.BatchNormalization()",
    "import keras\nbn = keras.layers.BatchNormalization()",
    "import tf_keras\nbn = tf_keras.layers.BatchNormalization()",
    "from keras.layers import *\nbn = BatchNormalization()",
])
def test_aliases_and_full_spellings_resolve_to_one_class(spelling):
    source = spelling + "\nimport keras\nx = keras.Input(shape=(4,))\ny = bn(x)\nz = bn(y)\n"
    assert codes(source) == ["LL002"]


def test_a_chained_method_does_not_count_a_call_twice():
    source = model(TORCH_HEAD, "self.norm = nn.LayerNorm(8)", "return self.norm(x).relu()", "forward")
    assert codes(source) == []


def test_a_module_fed_its_own_output_crashes_on_its_declared_size():
    source = model(TORCH_HEAD, "self.proj = nn.Linear(8, 16)", "h = self.proj(x).relu()\nreturn self.proj(h)",
                   "forward")
    assert codes(source) == ["LL001"]


def test_channels_first_reads_the_feature_axis_one():
    init = """self.a = layers.Conv2D(6, 3, data_format="channels_first")
self.b = layers.Conv2D(16, 3, data_format="channels_first")
self.bn = layers.BatchNormalization(axis=1)"""
    assert codes(model(KERAS_HEAD, init, "x = self.bn(self.a(x))\nreturn self.bn(self.b(x))")) == ["LL001"]


def test_a_different_last_axis_does_not_matter_to_a_channels_first_norm():
    init = """self.a = layers.Dense(6)
self.b = layers.Dense(16)
self.bn = layers.BatchNormalization(axis=1)"""
    assert codes(model(KERAS_HEAD, init, "x = self.bn(self.a(x))\nreturn self.bn(self.b(x))")) == ["LL002"]


def test_concatenate_sums_the_feature_sizes():
    init = """self.a = layers.Dense(6)
self.b = layers.Dense(10)
self.c = layers.Dense(16)
self.norm = layers.LayerNormalization()"""
    forward = "x = self.norm(keras.ops.concatenate([self.a(x), self.b(x)], axis=-1))\nreturn self.norm(self.c(x))"
    assert codes(model(KERAS_HEAD, init, forward)) == ["LL002"]


def test_bidirectional_doubles_the_units_with_concat():
    init = """self.rnn = layers.Bidirectional(layers.LSTM(8, return_sequences=True))
self.proj = layers.Dense(8)
self.norm = layers.LayerNormalization()"""
    forward = "x = self.norm(self.proj(x))\nreturn self.norm(self.rnn(x))"
    assert codes(model(KERAS_HEAD, init, forward)) == ["LL001"]


def test_unknown_sizes_are_never_guessed():
    init = """self.a = layers.Dense(units)
self.b = layers.Dense(16)
self.bn = layers.BatchNormalization()"""
    source = model(KERAS_HEAD, init, "x = self.bn(self.a(x))\nreturn self.bn(self.b(x))").replace(
        "def __init__(self):", "def __init__(self, units):")
    assert codes(source) == ["LL002"]


def test_layers_from_a_parent_class_in_the_same_file():
    source = model(KERAS_HEAD, "self.conv_a = layers.Conv2D(6, 3)\nself.conv_b = layers.Conv2D(16, 3)\n"
                   "self.bn = layers.BatchNormalization()", "return x") + textwrap.dedent("""
    class Child(M):
        def call(self, x):
            return self.bn(self.conv_b(self.bn(self.conv_a(x))))
    """)
    assert codes(source) == ["LL001"]


def test_layers_in_a_dict_keyed_by_level_are_distinct():
    init = "self.norms = {level: layers.BatchNormalization() for level in range(3)}"
    forward = "for level in range(3):\n    x = self.norms[level](x)\nreturn x"
    assert codes(model(KERAS_HEAD, init, forward)) == []


def test_deepcopy_makes_a_distinct_instance():
    source = model(TORCH_HEAD, "import copy\nself.a = nn.BatchNorm2d(8)\nself.b = copy.deepcopy(self.a)",
                   "return self.b(self.a(x))", "forward")
    assert codes(source) == []


def test_an_alias_is_the_same_instance():
    source = model(TORCH_HEAD, "self.a = nn.BatchNorm2d(8)\nself.b = self.a", "return self.b(self.a(x))", "forward")
    assert codes(source) == ["LL002"]


def test_a_local_alias_in_forward_is_the_same_instance():
    source = model(TORCH_HEAD, "self.bn = nn.BatchNorm2d(8)", "bn = self.bn\nreturn bn(bn(x))", "forward")
    assert codes(source) == ["LL002"]


def test_layers_assigned_in_both_arms_of_an_if_are_one_attribute():
    init = """if wide:
    self.fc = nn.Linear(1, 10)
else:
    self.fc = nn.Linear(10, 10)
self.pre = nn.Linear(1, 1)"""
    source = model(TORCH_HEAD, init, "return self.fc(self.pre(x))", "forward").replace(
        "def __init__(self):", "def __init__(self, wide):")
    assert codes(source) == []


def test_a_recursive_helper_does_not_hang():
    source = TORCH_HEAD + """        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.step(x, 3)

    def step(self, x, n):
        return self.step(self.fc(x), n - 1)
"""
    assert codes(source) == []


def test_an_input_with_an_unknown_axis_keeps_its_known_feature_size():
    source = """
import keras
from keras import layers
inputs = keras.Input(shape=(None, 16))
norm = layers.LayerNormalization()
x = norm(inputs)
y = norm(layers.Dense(8)(x))
"""
    assert codes(source) == ["LL001"]
