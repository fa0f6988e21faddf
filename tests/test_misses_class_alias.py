"""Issue 14's class-alias road (eval/README.md "Known misses", k58/p78): a class picked by a
conditional expression (`conv_cls = A if flag else nn.Conv2d`) and then called constructs one layer
of either class, so `[conv_cls(...)] * n` repeats one object whichever class the flag picks."""

from __future__ import annotations

import pytest

from layerlint.static.checker import Selection, check_source

ALL = Selection(select=("ALL",))

KERAS = """\
import keras
from keras import layers


def build(width=8, depth=3, separable=False):
    conv_cls = layers.SeparableConv2D if separable else layers.Conv2D
    body = {body}
    return keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.Conv2D(width, 1), *body])
"""

TORCH = """\
import torch.nn as nn


class Separable(nn.Module):
    def __init__(self, c_in, c_out, k, padding=0):
        super().__init__()
        self.depth = nn.Conv2d(c_in, c_in, k, padding=padding, groups=c_in)
        self.point = nn.Conv2d(c_in, c_out, 1)

    def forward(self, x):
        return self.point(self.depth(x))


class Body(nn.Module):
    def __init__(self, width=8, depth=3, separable=False):
        super().__init__()
        conv_cls = Separable if separable else nn.Conv2d
        self.body = nn.Sequential(*{body})

    def forward(self, x):
        return self.body(x)
"""


def _found(source: str) -> set[tuple[int, str]]:
    return {(d.span.line, d.code) for d in check_source(source, "model.py", ALL)}


@pytest.mark.parametrize("template, line", [(KERAS, 7), (TORCH, 18)])
def test_class_alias_from_a_conditional_repeated_is_one_instance(template, line):
    source = template.format(body='[conv_cls(width, width, 3, padding=1)] * depth'.replace(
        "width, width", "width" if template is KERAS else "width, width"))
    found = [d for d in check_source(source, "model.py", ALL) if d.code == "LL004"]
    assert [(d.span.line, d.layer_class) for d in found] == [(line, "conv_cls")]


@pytest.mark.parametrize("template", [KERAS, TORCH])
def test_class_alias_from_a_conditional_in_a_comprehension_is_one_per_slot(template):
    source = template.format(body='[conv_cls(width, width, 3, padding=1) for _ in range(depth)]'.replace(
        "width, width", "width" if template is KERAS else "width, width"))
    assert _found(source) == set()
