"""Issue 14's functional-loop road (eval/README.md "Known misses", t30): a repeated list that a
builder only iterates (`for layer in stack: x = layer(x)`) is no container of the model; the calls in
the loop are the reuse. A list stored in the model, or whose calls crash, is still LL004."""

from __future__ import annotations

from layerlint.static.checker import Selection, check_source

ALL = Selection(select=("ALL",))

BUILDER = """\
import tf_keras as keras
from tf_keras import layers


def build_model(depth=2):
    inputs = keras.Input(shape=(8,))
    stack = [layers.Dense(8)] + {middle} + [layers.Dense(1)]
    x = inputs
    for layer in stack:
        x = layer(x)
    return keras.Model(inputs, x)
"""


def _found(source: str) -> set[tuple[int, str]]:
    return {(d.span.line, d.code) for d in check_source(source, "model.py", ALL) if d.code != "LL003"}


def test_only_iterated_repeated_list_is_shared_statistics_at_the_call():
    assert _found(BUILDER.format(middle="[layers.BatchNormalization()] * depth")) == {(10, "LL002")}


def test_only_iterated_comprehension_is_clean():
    assert _found(BUILDER.format(middle="[layers.BatchNormalization() for _ in range(depth)]")) == set()


def test_a_repeated_list_stored_in_the_model_stays_a_container():
    source = BUILDER.format(middle="[layers.BatchNormalization()] * depth").replace(
        "    return keras.Model(inputs, x)", "    return keras.Sequential(stack)")
    assert (7, "LL004") in _found(source)
