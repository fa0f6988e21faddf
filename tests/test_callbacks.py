"""The training callbacks (issue 16): `layerlint.keras.ReuseCheck` and `layerlint.lightning.ReuseCheck`
trace the first training step of each fit, log the findings, raise when asked, and leave no hook
behind. The runnable examples under examples/callbacks/ run here too. Lightning's tests skip only
where it is not installed."""

from __future__ import annotations

import logging
import os
import runpy
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from layerlint.runtime import UnsafeReuseError, hooks

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "callbacks"


def assert_clean_hooks():
    assert hooks.installed() == {}
    assert not hooks.active_recorders()


# ---------------------------------------------------------------------------------------------
# Keras 3
# ---------------------------------------------------------------------------------------------
def keras_model(keras, shared: bool):
    inputs = keras.Input((6,))
    norm = keras.layers.BatchNormalization()
    left = norm(keras.layers.Dense(4)(inputs))
    right = (norm if shared else keras.layers.BatchNormalization())(keras.layers.Dense(4)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Add()([left, right])))
    model.compile("sgd", "mse")
    return model


def test_keras_callback_traces_the_first_step_of_every_fit(keras, caplog):
    import numpy as np

    import layerlint.keras

    model = keras_model(keras, shared=True)
    x, y = np.zeros((16, 6), "float32"), np.zeros((16, 1), "float32")
    model.fit(x, y, epochs=1, verbose=0)  # an earlier fit: its compiled step must not hide the reuse
    check = layerlint.keras.ReuseCheck()
    with caplog.at_level(logging.INFO, logger="layerlint"):
        model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[check])
    assert check.report.codes == ["LL002"] and check.report.passes == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "LL002 [warning]" in r.getMessage()]
    assert len(warnings) == 1  # the first step only, not each of the 8 steps
    assert any("first training step: " in r.getMessage() for r in caplog.records)
    assert getattr(model.train_function, "__name__", "") != "first_step"  # the wrapper removed itself
    assert_clean_hooks()
    with pytest.raises(UnsafeReuseError) as info:
        model.fit(x, y, epochs=1, verbose=0, callbacks=[layerlint.keras.ReuseCheck(raise_on_error=True)])
    assert info.value.report.codes == ["LL002"] and "unsafe layer reuse" in str(info.value)
    assert_clean_hooks()


def test_keras_callback_clean_model_and_options(keras):
    import numpy as np

    import layerlint.keras

    x, y = np.zeros((8, 6), "float32"), np.zeros((8, 1), "float32")
    check = layerlint.keras.ReuseCheck(raise_on_error=True)
    keras_model(keras, shared=False).fit(x, y, epochs=1, verbose=0, callbacks=[check])
    assert check.report.codes == [] and not check.report.blind
    ignoring = layerlint.keras.ReuseCheck(raise_on_error=True, ignore=["LL002"])
    keras_model(keras, shared=True).fit(x, y, epochs=1, verbose=0, callbacks=[ignoring])
    assert [d.code for d in ignoring.report.hidden] == ["LL002"]
    assert_clean_hooks()


def test_keras_example_runs(keras, capsys):
    runpy.run_path(str(EXAMPLES / "keras_reuse_check.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "findings: ['LL002']" in out and "fit stopped: " in out


# ---------------------------------------------------------------------------------------------
# PyTorch Lightning
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lightning(torch):
    return pytest.importorskip("lightning.pytorch")


def lightning_module(lightning, torch, shared: bool):
    nn = torch.nn

    class Module(lightning.LightningModule):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))
            self.decoder = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))
            if shared:
                self.decoder[1] = self.encoder[1]

        def training_step(self, batch, batch_idx):
            # two top-level calls in one step: judged together as one forward pass
            return self.decoder(self.encoder(batch[0])).pow(2).mean()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    return Module()


def fit(lightning, torch, module, callback, tmp_path, logger=False):
    data = torch.utils.data.TensorDataset(torch.randn(16, 4))
    trainer = lightning.Trainer(max_steps=3, accelerator="cpu", logger=logger, enable_checkpointing=False,
                                enable_progress_bar=False, enable_model_summary=False, callbacks=[callback],
                                default_root_dir=str(tmp_path))
    trainer.fit(module, torch.utils.data.DataLoader(data, batch_size=4))


def test_lightning_callback_finds_reuse_across_top_level_calls(lightning, torch, tmp_path, caplog):
    import layerlint.lightning

    module = lightning_module(lightning, torch, shared=True)
    check = layerlint.lightning.ReuseCheck()
    csv = lightning.loggers.CSVLogger(str(tmp_path), name="run")
    with caplog.at_level(logging.WARNING, logger="layerlint"):
        fit(lightning, torch, module, check, tmp_path, logger=csv)
    assert check.report.codes == ["LL002"] and check.report.passes == 1
    assert "`encoder[1]` (BatchNorm1d)" in check.report.diagnostics[0].message.render()
    assert sum("LL002 [warning]" in r.getMessage() for r in caplog.records) == 1
    assert "training_step" not in vars(module)  # the wrapper removed itself
    metrics = next(Path(csv.log_dir).glob("metrics.csv")).read_text()
    assert "layerlint/findings" in metrics
    assert_clean_hooks()


def test_lightning_callback_raises_when_asked_and_passes_clean_models(lightning, torch, tmp_path):
    import layerlint.lightning

    with pytest.raises(UnsafeReuseError):
        fit(lightning, torch, lightning_module(lightning, torch, shared=True),
            layerlint.lightning.ReuseCheck(raise_on_error=True), tmp_path)
    assert_clean_hooks()
    check = layerlint.lightning.ReuseCheck(raise_on_error=True)
    fit(lightning, torch, lightning_module(lightning, torch, shared=False), check, tmp_path)
    assert check.report.codes == [] and len(check.report.instances) == 6  # two Sequentials of two layers


def test_lightning_example_runs(lightning, capsys):
    runpy.run_path(str(EXAMPLES / "lightning_reuse_check.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "findings: ['LL002']" in out and "fit stopped: " in out


KERAS_BACKEND_SCRIPT = """
import numpy as np, keras
import layerlint.keras
inputs = keras.Input((6,))
norm = keras.layers.BatchNormalization()
left, right = norm(keras.layers.Dense(4)(inputs)), norm(keras.layers.Dense(4)(inputs))
model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Add()([left, right])))
model.compile("sgd", "mse")
x, y = np.zeros((16, 6), "float32"), np.zeros((16, 1), "float32")
model.fit(x, y, epochs=1, verbose=0)
check = layerlint.keras.ReuseCheck()
model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[check])
print(keras.backend.backend(), check.report.codes, check.report.passes)
"""


@pytest.mark.parametrize("backend", ["jax"])
def test_keras_callback_on_the_jax_backend(tmp_path, backend):
    """The JAX trainer calls `train_function(state, iterator)` and jit-compiles it: the wrapper
    passes the arguments through and the second fit's first step is traced again."""
    import subprocess
    import sys

    pytest.importorskip("keras")
    pytest.importorskip(backend)
    script = tmp_path / "callback.py"
    script.write_text(KERAS_BACKEND_SCRIPT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, KERAS_BACKEND=backend))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [backend, "['LL002']", "1"]
