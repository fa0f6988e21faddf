"""Issue 14's setattr/getattr roads (eval/README.md "Known misses", t24/p75/t29): attribute names
built in a loop over `range(n)` where `n` is a known parameter (`f"bn{i}"`), or with `%` formatting
from a helper's arguments (`"bn%d" % index`), name the attribute itself."""

from __future__ import annotations

from layerlint.static.checker import Selection, check_source

ALL = Selection(select=("ALL",))

SETATTR = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, channels=8, n_conv=3):
        super().__init__()
        self.n_conv = n_conv
        bn = nn.BatchNorm2d(channels)
        for i in range(n_conv):
            setattr(self, f"conv{i + 2}", nn.Conv2d(channels, channels, 3, padding=1))
            setattr(self, f"bn{i + 2}", {norm})

    def forward(self, x):
        for i in range(self.n_conv):
            x = getattr(self, f"bn{i + 2}")(getattr(self, f"conv{i + 2}")(x))
        return x
"""

PERCENT = """\
import tf_keras as keras
from tf_keras import layers


class Stem(keras.Model):
    def __init__(self, width=8):
        super().__init__()
        self.conv1 = layers.Conv2D(width, 3, padding="same")
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(width, 3, padding="same")
        self.bn2 = layers.BatchNormalization()

    def stage(self, x, conv_index, bn_index):
        x = getattr(self, "conv%d" % conv_index)(x)
        return getattr(self, "bn%d" % bn_index)(x)

    def call(self, x):
        x = self.stage(x, 1, 1)
        return self.stage(x, 2, {second})
"""


def _found(source: str) -> set[tuple[int, str]]:
    return {(d.span.line, d.code) for d in check_source(source, "model.py", ALL) if d.code != "LL003"}


def test_setattr_in_a_loop_over_a_parameter_with_one_hoisted_norm():
    assert _found(SETATTR.replace("{norm}", "bn")) == {(15, "LL002")}


def test_setattr_in_a_loop_with_a_norm_per_iteration():
    assert _found(SETATTR.replace("{norm}", "nn.BatchNorm2d(channels)")) == set()


def test_getattr_with_percent_formatting_names_the_same_norm_twice():
    assert _found(PERCENT.format(second="1")) == {(19, "LL002")}


def test_getattr_with_percent_formatting_names_two_norms():
    assert _found(PERCENT.format(second="2")) == set()


def test_a_loop_counted_by_a_default_is_no_exact_count():
    # `for _ in range(num_layers)` with `num_layers=1`: a caller may pass more layers, so the call in
    # the loop is still a call repeated by it (as before `range(n)` over a default was unrolled).
    source = """\
import torch.nn as nn


class Stack(nn.Module):
    def __init__(self, num_layers=1):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(num_layers)])
        self.mixer = nn.Linear(8, 8)

    def forward(self, x):
        for block in self.blocks:
            x = self.mixer(block(x))
        return x
"""
    found = [(d.code, d.layer) for d in check_source(source, "model.py", ALL)]
    assert found == [("LL003", "self.mixer")]
