"""Runtime tracing (`layerlint.runtime`) against the real frameworks: Keras 3 (TensorFlow backend,
and the torch backend in a subprocess), tf_keras and PyTorch. Each framework's tests skip only
when that framework is not installed."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from layerlint.diagnostics import Confidence, Severity
from zoo import keras_article
from layerlint.runtime import LayerReuseError, trace, tracing
from layerlint.runtime import hooks
from layerlint.testing import assert_no_unsafe_reuse


def codes(report):
    return sorted(d.code for d in report.diagnostics)


def the(report, code):
    found = [d for d in report.diagnostics if d.code == code]
    assert len(found) == 1, report.render_text()
    return found[0]


def assert_clean_hooks():
    assert hooks.installed() == {}
    assert not hooks.active_recorders()


# ---------------------------------------------------------------------------------------------
# Keras 3, TensorFlow backend
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def np():
    return pytest.importorskip("numpy")


def test_keras_article_crash_is_ll001_with_chained_error(keras, np):
    x = np.zeros((2, 28, 28, 1), "float32")
    original_call = keras.layers.Layer.__dict__["__call__"]
    with pytest.raises(LayerReuseError) as info:
        trace(keras_article(keras), x)
    error = info.value
    assert isinstance(error.__cause__, ValueError)
    assert error.report.error is error.__cause__
    diag = the(error.report, "LL001")
    assert diag.severity is Severity.ERROR and diag.origin == "runtime"
    message = diag.message.render()
    assert "`bn` (BatchNormalization) is built for 6 features" in message and "but gets 16 here" in message
    assert "raises: ValueError: " in message and "received input with shape (2, 9, 9, 16)" in message  # the real error
    assert diag.span.path.endswith("zoo.py")  # where the model makes the call
    built = diag.related[0]
    assert built.message.render() == "first call: builds `bn` for 6 features"
    assert built.span.line == diag.span.line - 1  # the first `self.bn(...)` line
    assert diag.help.render() == "give each call site its own BatchNormalization instance, e.g. `bn` and `bn_2`"
    assert "LL001 [error]" in str(error)
    # hygiene: the class-level patch is gone after the raising pass
    assert keras.layers.Layer.__dict__["__call__"] is original_call
    assert_clean_hooks()


def test_keras_fixed_article_is_clean(keras, np):
    report = trace(keras_article(keras, fixed=True), np.zeros((2, 28, 28, 1), "float32"))
    assert report.diagnostics == []
    assert len(report.instance("pool").calls) == 2  # stateless reuse: recorded, not reported
    bn = report.instance("bn")
    assert bn.calls[0].shapes == ((2, 25, 25, 6),) and bn.calls[0].dtypes == ("float32",)
    assert "pool" in report.render_table()


def test_keras_same_shape_bn_sharing_is_ll002(keras, np):
    layers = keras.layers

    class Shared(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv_a = layers.Conv2D(4, 3, padding="same")
            self.conv_b = layers.Conv2D(4, 3, padding="same")
            self.bn = layers.BatchNormalization()

        def call(self, x, training=None):
            return self.bn(self.conv_b(self.bn(self.conv_a(x), training=training)), training=training)

    model = Shared()
    model(np.zeros((2, 8, 8, 1), "float32"))
    moving_mean = model.bn.moving_mean.numpy().copy()
    report = trace(model, np.ones((2, 8, 8, 1), "float32"), training=True)
    assert (model.bn.moving_mean.numpy() == moving_mean).all()  # restore_state undid the updates
    diag = the(report, "LL002")
    assert diag.severity is Severity.WARNING
    assert "`bn` (BatchNormalization)" in diag.message.render()
    assert [c.training for c in report.instance("bn").calls] == [True, True]
    assert codes(report) == ["LL002"]
    with pytest.raises(AssertionError, match="LL002"):
        assert_no_unsafe_reuse(model, np.zeros((2, 8, 8, 1), "float32"))
    assert_no_unsafe_reuse(keras_article(keras, fixed=True), np.zeros((2, 28, 28, 1), "float32"))


def test_keras_functional_siamese_is_only_ll003(keras, np):
    layers = keras.layers
    left, right = keras.Input((8,)), keras.Input((8,))
    tower = layers.Dense(4, name="tower")
    out = layers.Dense(1, name="head")(layers.Concatenate()([tower(left), tower(right)]))
    model = keras.Model([left, right], out)
    report = trace(model, [np.zeros((2, 8), "float32"), np.ones((2, 8), "float32")])
    assert codes(report) == ["LL003"]
    diag = report.diagnostics[0]
    assert diag.severity is Severity.INFO and "`tower` (Dense)" in diag.message.render()
    # the functional graph's producers tell the two calls apart
    assert "on the output of" in diag.related[0].message.render()
    assert_no_unsafe_reuse(model, [np.zeros((2, 8), "float32")] * 2)  # info does not fail


def test_keras_stateless_reuse_is_not_reported(keras, np):
    layers = keras.layers
    model = keras.Sequential([keras.Input((8, 8, 2))])
    relu, pool, drop = layers.ReLU(), layers.MaxPooling2D(2), layers.Dropout(0.5)
    for layer in (relu, pool, drop, relu, pool, drop, layers.Flatten()):
        model.add(layer)
    report = trace(model, np.zeros((2, 8, 8, 2), "float32"))
    assert report.diagnostics == []
    assert len(report.instances) == 5  # the Sequential and its four distinct layers


def test_keras_nested_shared_layer_path(keras, np):
    layers = keras.layers

    class Block(layers.Layer):
        def __init__(self):
            super().__init__()
            self.norm = layers.BatchNormalization()  # running statistics: LL002 (a LayerNorm is LL003)

        def call(self, x):
            return self.norm(self.norm(x))

    class Encoder(layers.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(8), Block()]

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = Encoder()

        def call(self, x):
            return self.encoder(x)

    report = trace(Net(), np.zeros((2, 8), "float32"))
    diag = the(report, "LL002")
    assert "`encoder.blocks[1].norm` (BatchNormalization) is called 2 times in one forward pass" in diag.message.render()
    assert (diag.layer, diag.layer_class) == ("encoder.blocks[1].norm", "BatchNormalization")  # what allow-shared reads
    assert report.instance("encoder.blocks[0]").class_name == "Dense"


def test_keras_reused_composite_reported_once(keras, np):
    layers = keras.layers
    tower = keras.Sequential([layers.Dense(4), layers.BatchNormalization()], name="tower")
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], layers.Add()([tower(a), tower(b)]))
    report = trace(model, [np.zeros((2, 3), "float32")] * 2)
    diag = the(report, "LL003")
    assert codes(report) == ["LL003"]
    assert "`tower` (Sequential) is called 2 times in one forward pass" in diag.message.render()
    assert diag.confidence is Confidence.INFERENCE  # judged from what the live sub-network holds


def test_keras_tracing_block_records_a_fit_step(keras, np):
    layers = keras.layers
    inputs = keras.Input((4,))
    dense = layers.Dense(4)
    model = keras.Model(inputs, layers.Dense(1)(dense(dense(inputs))))
    model.compile(optimizer="sgd", loss="mse")
    with tracing() as report:
        model.fit(np.zeros((2, 4), "float32"), np.zeros((2, 1), "float32"), epochs=1, batch_size=2, verbose=0)
    diag = the(report, "LL003")
    assert "(Dense)" in diag.message.render()
    assert any(call.training is True for call in report.instance(diag.layer).calls)
    assert_clean_hooks()


# ---------------------------------------------------------------------------------------------
# tf_keras (Keras 2)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tf_keras():
    return pytest.importorskip("tf_keras")


def test_tf_keras_article_and_fix(tf_keras, np):
    x = np.zeros((2, 28, 28, 1), "float32")
    original_call = tf_keras.layers.Layer.__dict__["__call__"]
    with pytest.raises(LayerReuseError) as info:
        trace(keras_article(tf_keras), x, training=True)
    assert isinstance(info.value.__cause__, ValueError)
    diag = the(info.value.report, "LL001")
    assert "`bn` (BatchNormalization)" in diag.message.render()
    assert diag.related[0].message.render() == "first call: builds `bn` for 6 features"
    assert tf_keras.layers.Layer.__dict__["__call__"] is original_call
    assert_clean_hooks()
    model = keras_article(tf_keras, fixed=True)
    report = trace(model, x, training=True)
    assert report.diagnostics == []
    assert [c.training for c in report.instance("bn").calls] == [True]
    assert_no_unsafe_reuse(model, x)


def test_tf_keras_functional_and_nested(tf_keras, np):
    layers = tf_keras.layers
    left, right = tf_keras.Input((8,)), tf_keras.Input((8,))
    tower = layers.Dense(4, name="tower")
    model = tf_keras.Model([left, right], layers.Concatenate()([tower(left), tower(right)]))
    assert codes(trace(model, [np.zeros((2, 8), "float32")] * 2)) == ["LL003"]

    norm = layers.BatchNormalization(name="norm")  # running statistics: LL002 (a LayerNorm is LL003)
    inner = tf_keras.Sequential([layers.Dense(4, name="d"), norm, norm], name="inner")
    outer = tf_keras.Sequential([inner], name="outer")
    report = trace(outer, np.zeros((2, 4), "float32"))
    diag = the(report, "LL002")
    assert "`inner.norm` (BatchNormalization)" in diag.message.render()


# ---------------------------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------------------------
def torch_article(torch, fixed=False):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 4)
            self.bn = nn.BatchNorm2d(6)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 4)
            self.bn2 = nn.BatchNorm2d(16) if fixed else self.bn

        def forward(self, x):
            x = self.pool(self.bn(self.conv1(x)))
            x = self.pool(self.bn2(self.conv2(x)))
            return x

    return Net()


def torch_hooks(torch):
    from torch.nn.modules import module

    return (len(module._global_forward_pre_hooks), len(module._global_forward_hooks))


def test_torch_article_crash_restores_hooks_and_mode(torch):
    before = torch_hooks(torch)
    model = torch_article(torch)
    model.train()
    model.pool.eval()
    mean = model.bn.running_mean.clone()
    with pytest.raises(LayerReuseError) as info:
        trace(model, torch.zeros(2, 1, 28, 28))
    assert isinstance(info.value.__cause__, RuntimeError)
    diag = the(info.value.report, "LL001")
    assert "`bn` (BatchNorm2d) is declared for 6 features" in diag.message.render()
    assert "but gets 16 here; PyTorch raises: RuntimeError: running_mean should contain 16" in diag.message.render()
    assert diag.related[0].message.render() == "called with 6 features here"  # BatchNorm2d(6): declared, not built
    assert diag.help.render() == "give each call site its own BatchNorm2d instance, e.g. `bn` and `bn_2`"
    assert torch_hooks(torch) == before
    assert_clean_hooks()
    assert model.training and model.bn.training and not model.pool.training
    assert torch.equal(model.bn.running_mean, mean)  # the first BN call's update is undone
    assert int(model.bn.num_batches_tracked) == 0


def test_torch_fixed_and_same_shape_sharing(torch):
    nn = torch.nn
    model = torch_article(torch, fixed=True)
    report = trace(model, torch.zeros(2, 1, 28, 28))
    assert report.diagnostics == []
    assert [c.training for c in report.instance("pool").calls] == [True, True]
    assert_no_unsafe_reuse(model, torch.zeros(2, 1, 28, 28))

    class Shared(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.bn = nn.Conv2d(3, 4, 1), nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4)

        def forward(self, x):
            return self.bn(self.b(self.bn(self.a(x))))

    shared = Shared()
    report = trace(shared, torch.zeros(2, 3, 4, 4))
    assert codes(report) == ["LL002"]
    with pytest.raises(AssertionError, match="LL002 \\[warning\\] `bn` \\(BatchNorm2d\\)"):
        assert_no_unsafe_reuse(shared, torch.zeros(2, 3, 4, 4))


def test_torch_siamese_composite_and_stateless(torch):
    nn = torch.nn

    class Siamese(nn.Module):
        def __init__(self):
            super().__init__()
            self.tower = nn.Sequential(nn.Linear(8, 4), nn.BatchNorm1d(4), nn.ReLU())
            self.act = nn.ReLU()
            self.drop = nn.Dropout(0.1)

        def forward(self, a, b):
            return self.drop(self.act(self.tower(a))) - self.drop(self.act(self.tower(b)))

    report = trace(Siamese(), torch.zeros(2, 8), torch.ones(2, 8))
    assert codes(report) == ["LL003"]  # once, on the tower; nothing for ReLU/Dropout or inner layers
    assert "`tower` (Sequential)" in report.diagnostics[0].message.render()
    assert len(report.instance("tower[1]").calls) == 2

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(4, 4)

        def forward(self, x):
            return self.proj(self.proj(x))

    diag = the(trace(Tied(), torch.zeros(2, 4)), "LL003")
    assert diag.severity is Severity.INFO


def test_torch_nested_path_and_unknown_class(torch):
    nn = torch.nn

    class Scale(nn.Module):  # not in the catalog: judged from the live object
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(8))

        def forward(self, x):
            return x * self.weight

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.BatchNorm1d(8)  # running statistics: LL002 (a LayerNorm is LL003)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Module()
            self.encoder.blocks = nn.ModuleList([Block(), Block(), Block()])
            self.scale = Scale()

        def forward(self, x):
            norm = self.encoder.blocks[2].norm
            return self.scale(norm(self.scale(norm(x))))

    report = trace(Net(), torch.zeros(2, 8))
    assert codes(report) == ["LL002", "LL003"]
    assert "`encoder.blocks[2].norm` (BatchNorm1d)" in the(report, "LL002").message.render()
    live = the(report, "LL003").message.render()
    assert "`scale` (Scale) is called 2 times in one forward pass" in live
    assert "Scale is not in the catalog: judged from the live object" in [r.message.render() for r in the(report, "LL003").related]


def test_torch_nested_and_concurrent_traces(torch):
    nn = torch.nn
    shared = nn.Linear(4, 4)
    twice = nn.Sequential(shared, shared)
    once = nn.Sequential(nn.Linear(4, 4))
    with tracing() as outer:
        inner = trace(once, torch.zeros(1, 4))
        twice(torch.zeros(1, 4))
    assert inner.diagnostics == [] and len(inner.instances) == 2
    assert codes(outer) == ["LL003"] and outer.passes == 2

    results, errors = {}, []

    def work(name, model):
        try:
            for _ in range(20):
                results[name] = trace(model, torch.zeros(1, 4))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=("twice", twice)),
               threading.Thread(target=work, args=("once", once))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert codes(results["twice"]) == ["LL003"] and len(results["twice"].instances) == 2
    assert results["once"].diagnostics == [] and len(results["once"].instances) == 2
    assert torch_hooks(torch) == (0, 0)
    assert_clean_hooks()


def test_other_errors_propagate_unchanged(torch):
    nn = torch.nn
    model = nn.Linear(4, 2)
    with pytest.raises(RuntimeError):
        trace(model, torch.zeros(2, 3))
    report = trace(model, torch.zeros(2, 3), raise_on_error=False)
    assert isinstance(report.error, RuntimeError) and report.diagnostics == []
    assert_clean_hooks()


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
def cli(argv):
    from layerlint.runtime import cli as trace_cli

    parser = argparse.ArgumentParser(prog="layerlint trace")
    trace_cli.add_arguments(parser)
    assert "runs your code" in parser.description
    return trace_cli.run(parser.parse_args(argv))


TORCH_FILE = """
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self, fixed=False):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 4), nn.Conv2d(6, 16, 4)
        self.bn, self.pool = nn.BatchNorm2d(6), nn.MaxPool2d(2, 2)
        self.bn2 = nn.BatchNorm2d(16) if fixed else self.bn

    def forward(self, x):
        x = self.pool(self.bn(self.conv1(x)))
        return self.pool(self.bn2(self.conv2(x)))

def fixed():
    return Net(fixed=True)

model = Net()
"""


def test_cli_run(torch, tmp_path, capsys):
    path = tmp_path / "article_model.py"
    path.write_text(TORCH_FILE)
    assert cli([f"{path}:Net", "--input-shape", "2,1,28,28"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "article_model.py:14:" in out[0] and "LL001 [error]" in out[0]
    assert out[1].startswith("  ") and out[1].endswith("called with 6 features here")
    assert out[2] == "  help: give each call site its own BatchNorm2d instance, e.g. `bn` and `bn_2`"
    assert out[-1].startswith("forward pass raised RuntimeError: running_mean should contain 16")

    assert cli([f"{path}:fixed", "--input-shape", "2,1,28,28"]) == 0
    assert cli([f"{path}:model", "--input-shape", "2,1,28,28", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["diagnostics"][0]["code"] == "LL001" and data["error"].startswith("RuntimeError")
    assert cli([f"{path}:fixed", "--input-shape", "2,1,28,28", "--format", "table"]) == 0
    assert "bn2" in capsys.readouterr().out

    assert cli([f"{path}:Missing", "--input-shape", "2,1,28,28"]) == 2
    assert cli([f"{tmp_path / 'nope.py'}:Net", "--input-shape", "2,1,28,28"]) == 2
    assert cli([f"{path}:fixed", "--input-shape", "2,3,28,28"]) == 2  # forward pass fails: no traceback
    err = capsys.readouterr().err
    assert "has no attribute 'Missing'" in err and "no such file" in err and "forward pass raised" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------------------------------
# Keras 3 on the torch and JAX backends (a subprocess: the backend is chosen at import time)
# ---------------------------------------------------------------------------------------------
KERAS_TORCH_SCRIPT = """
import numpy as np, keras
from keras import layers
from layerlint.runtime import LayerReuseError, trace
assert keras.backend.backend() == "torch"

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = layers.Conv2D(6, 4), layers.Conv2D(16, 4)
        self.bn, self.pool = layers.BatchNormalization(), layers.MaxPooling2D(2, 2)

    def call(self, x):
        x = self.pool(self.bn(self.conv1(x)))
        return self.pool(self.bn(self.conv2(x)))

try:
    trace(Net(), np.zeros((2, 28, 28, 1), "float32"))
except LayerReuseError as error:
    print(error.report.diagnostics[0].code, len(error.report.instance("bn").calls))
"""


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_keras_other_backends_subprocess(tmp_path, backend):
    pytest.importorskip("keras")
    pytest.importorskip(backend)
    script = tmp_path / f"keras_{backend}.py"
    script.write_text(textwrap.dedent(KERAS_TORCH_SCRIPT).replace('"torch"', repr(backend)))
    env = dict(os.environ, KERAS_BACKEND=backend)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["LL001", "2"]


def test_cli_gives_a_keras_model_its_inputs_as_one_list(keras, capsys):
    example = Path(__file__).resolve().parent.parent / "examples" / "keras" / "functional_shared.py"
    assert cli([f"{example}:build_model", "--input-shape", "2,12", "--input-shape", "2,12"]) == 1
    out = capsys.readouterr().out
    assert "LL002 [warning]" in out and "BatchNormalization" in out
