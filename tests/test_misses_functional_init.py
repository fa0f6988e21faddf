"""Issue 14's functional-subclass road (eval/README.md "Known misses", k65): a Keras Model subclass
whose `__init__` builds a functional graph and hands it to the parent (`super().__init__(inputs=...,
outputs=...)`, the keras-hub `Backbone` style) is read like a builder function."""

from __future__ import annotations

from layerlint.static.checker import Selection, check_source

ALL = Selection(select=("ALL",))

BACKBONE = """\
import keras
from keras import layers


class Tiny(keras.Model):
    def __init__(self, dim=16, **kwargs):
        inputs = keras.Input(shape=(5, dim))
        first = layers.LayerNormalization()
        second = {second}
        x = layers.Add()([inputs, layers.Dense(dim)(first(inputs))])
        x = layers.Add()([x, layers.Dense(dim)(second(x))])
        super().__init__(inputs=inputs, outputs=x, **kwargs)
"""


def _found(source: str) -> set[tuple[int, str]]:
    return {(d.span.line, d.code) for d in check_source(source, "model.py", ALL)}


def test_one_norm_for_two_roles_in_a_functional_init():
    assert _found(BACKBONE.format(second="first")) == {(11, "LL002")}


def test_two_norms_in_a_functional_init():
    assert _found(BACKBONE.format(second="layers.LayerNormalization()")) == set()


def test_a_plain_init_is_not_a_forward_pass():
    # Negative: an `__init__` that only builds layers (no graph handed to the parent) calls none.
    source = BACKBONE.format(second="first").replace("super().__init__(inputs=inputs, outputs=x, **kwargs)",
                                                     "super().__init__(**kwargs)")
    assert _found(source) == set()
