"""A tf_keras `Sequential` that starts with an `Input` is built at once: a layer listed twice is called
at each listing (a crash at another width, shared state at the same one), though tf_keras keeps one
slot of it when the model is built later (keras-team/keras#4374, eval case t20). Each program is traced
with tf_keras: the check says what the run does."""

from __future__ import annotations

import textwrap
import types

import pytest

from layerlint.static.checker import Selection, check_source

tf_keras = pytest.importorskip("tf_keras")

PROGRAMS = {
    # name: (build() body, the codes the check and the run agree on)
    "listed after an Input, wider": ("""\
        hidden = layers.Dense(8)
        return keras.Sequential([keras.Input(shape=(4,)), hidden, hidden])""", {"LL001"}),
    "added after an Input, wider": ("""\
        hidden = layers.Dense(8)
        model = keras.Sequential()
        model.add(keras.Input(shape=(4,)))
        model.add(hidden)
        model.add(hidden)
        return model""", {"LL001"}),
    "listed after an Input, same width": ("""\
        norm = layers.BatchNormalization()
        return keras.Sequential([keras.Input(shape=(4,)), norm, layers.Dense(4), norm])""", {"LL002"}),
    "no Input: tf_keras keeps one slot": ("""\
        hidden = layers.Dense(8)
        model = keras.Sequential()
        model.add(hidden)
        model.add(hidden)
        return model""", set()),
}


def _source(body: str) -> str:
    return ("import tf_keras as keras\nfrom tf_keras import layers\n\n\ndef build():\n"
            + textwrap.indent(textwrap.dedent(body), "    ") + "\n")


def _run(source: str) -> set[str]:
    import numpy as np

    import layerlint

    module = types.ModuleType("built")
    exec(compile(source, "built.py", "exec"), module.__dict__)
    try:
        model = module.build()
        with layerlint.tracing(model) as report:
            model(np.zeros((2, 4), "float32"))
    except ValueError:  # tf_keras raises while building, at the second listing
        return {"LL001"}
    return {d.code for d in report.diagnostics}


@pytest.mark.parametrize("name", PROGRAMS, ids=list(PROGRAMS))
def test_a_built_tf_keras_sequential_calls_every_listing(name):
    body, expected = PROGRAMS[name]
    source = _source(body)
    assert _run(source) == expected  # the program does what its name says
    found = {d.code for d in check_source(source, "built.py", Selection(select=("ALL",)))}
    assert found == expected


def test_the_crash_names_the_slot_not_a_loop():
    source = _source(PROGRAMS["listed after an Input, wider"][0])
    (crash,) = [d for d in check_source(source, "built.py", Selection(select=("ALL",))) if d.code == "LL001"]
    assert "in its next slot of the Sequential" in crash.message.render()


def test_shared_state_names_the_slots():
    source = _source(PROGRAMS["listed after an Input, same width"][0])
    (shared,) = check_source(source, "built.py", Selection(select=("ALL",)))
    assert "2 times, once in each slot of the Sequential that lists it" in shared.message.render()
    assert "每个槽位" in shared.message.render("zh_CN")
