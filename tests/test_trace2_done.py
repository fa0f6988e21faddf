"""Issue 16's "done when", the parts no other test covered: the Keras callback reports an injected
reuse in a keras.applications model at the builder's line, and the Lightning callback reports one
inside a network that was compiled (`torch.compile`) and already ran before training.
"""

from __future__ import annotations

import os

import pytest

from test_trace_real_models import assert_clean_hooks, mobilenet_with_shared_bn, small_resnet


def test_i16_done_keras_callback_names_the_keras_applications_builder_line(keras, monkeypatch):
    import numpy as np

    import layerlint.keras

    model = mobilenet_with_shared_bn(keras, monkeypatch)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    check = layerlint.keras.ReuseCheck()
    model.fit(np.zeros((2, 32, 32, 3), "float32"), np.zeros((2,), "int32"), epochs=1, verbose=0,
              callbacks=[check])
    assert check.report.codes == ["LL002"], check.report.render_text()
    diag = check.report.diagnostics[0]
    assert diag.span.path.endswith(os.path.join("applications", "mobilenet_v3.py"))
    assert [r.message.render() for r in diag.related] == [
        "first called here, on the output of expanded_conv_1_expand",
        "also called here, on the output of expanded_conv_1_depthwise"]
    assert_clean_hooks()


def test_i16_done_lightning_callback_sees_inside_a_compiled_network(torch, tmp_path):
    lightning = pytest.importorskip("lightning.pytorch")
    import layerlint.lightning

    x = torch.zeros(2, 3, 8, 8)

    class Classifier(lightning.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.compile(small_resnet(torch, reuse=True), backend="eager")

        def training_step(self, batch, batch_idx):
            return torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)

    module = Classifier()
    module.net(x)  # compiled and run before training: its layers no longer run as Python
    check = layerlint.lightning.ReuseCheck()
    data = torch.utils.data.TensorDataset(torch.randn(2, 3, 8, 8), torch.zeros(2, dtype=torch.long))
    lightning.Trainer(max_steps=1, accelerator="cpu", logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False, callbacks=[check],
                      default_root_dir=str(tmp_path)).fit(module, torch.utils.data.DataLoader(data, batch_size=2))
    assert check.report.codes == ["LL002"], check.report.render_text()
    # named by its attribute path, through the compiled wrapper (`net._orig_mod`, also reachable as `net.layer1`)
    assert "`net._orig_mod.layer1[0].bn1` (BatchNorm2d)" in check.report.diagnostics[0].message.render()
    assert any("ran eagerly during the trace" in note for note in check.report.notes)
    assert_clean_hooks()
