"""Issue 16, points 1-5: `trace` on real architectures, built with random weights on CPU.

i16_1 never silently clean (compiled, exported, second Keras fit); i16_2 Keras functional models
located at the builder's lines; i16_3 findings follow the configuration; i16_4 the `trace` CLI's
inputs, constructor arguments, mode and seed; i16_5 less noise (shared sub-networks once, loops
counted, same-line sites told apart). Each framework's tests skip only when it is not installed.
"""

from __future__ import annotations

import json
import linecache
import os
import textwrap
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from layerlint.diagnostics import Severity
from layerlint.runtime import hooks, recording_builds, trace, tracing
from layerlint.runtime.cli import CannotRun, main as cli, parse_input
from layerlint.testing import assert_no_unsafe_reuse

ROOT = Path(__file__).resolve().parent.parent


def codes(report):
    return sorted(d.code for d in report.diagnostics)


def notes(report):
    return "\n".join(report.notes)


def assert_clean_hooks():
    assert hooks.installed() == {}
    assert not hooks.active_recorders()


# ---------------------------------------------------------------------------------------------
# a small ResNet-like PyTorch model (torchvision's wheels here do not load next to the CPU torch)
# ---------------------------------------------------------------------------------------------
def small_resnet(torch, reuse: bool = True):
    nn = torch.nn

    class Bottleneck(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, channels, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)
            self.relu = nn.ReLU()

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + x)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 8, 3, padding=1)
            self.layer1 = nn.Sequential(Bottleneck(8), Bottleneck(8), Bottleneck(8))
            self.fc = nn.Linear(8, 10)

        def forward(self, x):
            return self.fc(self.layer1(self.stem(x)).mean((2, 3)))

    model = ResNet().eval()
    if reuse:
        model.layer1[0].bn2 = model.layer1[0].bn1  # the injected bug: both 8 channels
    return model


def test_i16_1_compiled_model_run_before_the_trace_is_traced_through_orig_mod(torch):
    model = small_resnet(torch)
    x = torch.zeros(2, 3, 8, 8)
    compiled = torch.compile(model, backend="eager")
    compiled(x)  # compiled and run before tracing: its layer calls no longer run as Python
    report = trace(compiled, x)
    assert codes(report) == ["LL002"], report.render_text()
    assert "`layer1[0].bn1` (BatchNorm2d)" in report.diagnostics[0].message.render()
    assert report.diagnostics[0].related[-1].message.render() == "the same instance is also named layer1[0].bn2"
    assert "_orig_mod" in notes(report)
    # inside a `tracing()` block the compiled code runs: the report must not look clean
    with tracing() as blind:
        compiled(x)
    assert codes(blind) == []
    assert "torch.compile" in notes(blind) and "cannot say the model is clean" in notes(blind)
    assert "see the notes" in blind.summary()
    assert_clean_hooks()


def resnet50(torch):
    """The bench's ResNet-50 (bottlenecks 3-4-6-3, 25.6 M parameters), random weights."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("trace_overhead", ROOT / "bench" / "trace_overhead.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    model = bench.resnet50_like(torch)
    model.stages[0][0].bn2 = model.stages[0][0].bn1  # the injected bug: both 64 channels
    return model


def test_i16_done_resnet50_bug_found_by_trace_compiled_trace_and_lightning(torch, tmp_path):
    """Issue 16's "done when": an injected reuse bug in a PyTorch ResNet-50 is reported by `trace`,
    by a compiled model's trace, and by the Lightning callback."""
    model = resnet50(torch).eval()
    x = torch.zeros(2, 3, 32, 32)
    expected = "the same instance is also named stages[0][0].bn2"
    for report in (trace(model, x), trace(torch.compile(model, backend="eager"), x)):
        assert codes(report) == ["LL002"] and report.diagnostics[0].related[-1].message.render() == expected
    lightning = pytest.importorskip("lightning.pytorch")
    import layerlint.lightning

    class Classifier(lightning.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = model

        def training_step(self, batch, batch_idx):
            return torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)

    check = layerlint.lightning.ReuseCheck()
    data = torch.utils.data.TensorDataset(torch.randn(2, 3, 32, 32), torch.zeros(2, dtype=torch.long))
    lightning.Trainer(max_steps=1, accelerator="cpu", logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False, callbacks=[check],
                      default_root_dir=str(tmp_path)).fit(Classifier(), torch.utils.data.DataLoader(data, batch_size=2))
    assert check.report.codes == ["LL002"]
    assert "`net.stages[0][0].bn1` (BatchNorm2d)" in check.report.diagnostics[0].message.render()
    assert_clean_hooks()


def test_i16_1_exported_module_is_judged_from_its_graph(torch):
    """`torch.export` turns layers into operations; the instances are recovered from the tensors
    the operations read (`bn2 = bn1`: both read one set), located by the graph's stack traces."""
    model = small_resnet(torch)
    x = torch.zeros(2, 3, 8, 8)
    report = trace(torch.export.export(model, (x,)).module(), x)
    assert codes(report) == ["LL002"], report.render_text()
    diag = report.diagnostics[0]
    assert diag.message.render().startswith("`layer1[0].bn1` (BatchNorm2d) is called 2 times in one forward pass")
    assert diag.related[-1].message.render() == "the same instance is also named layer1[0].bn2"
    assert diag.span.path.endswith("test_trace_real_models.py") and diag.related[0].span.line == diag.span.line - 1
    assert "exported graph module" in notes(report) and "stateless layers cannot be told apart" in notes(report)
    with pytest.raises(AssertionError, match="LL002"):
        assert_no_unsafe_reuse(torch.export.export(model, (x,)).module(), x)
    clean = torch.export.export(small_resnet(torch, reuse=False), (x,)).module()
    assert codes(assert_no_unsafe_reuse(clean, x)) == []


def functional_shared_bn(keras):
    inputs = keras.Input((12,))
    norm = keras.layers.BatchNormalization(name="norm")
    left = norm(keras.layers.Dense(8, name="left")(inputs))
    right = norm(keras.layers.Dense(8, name="right")(inputs))
    return keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Add()([left, right])))


def test_i16_1_second_keras_fit_is_not_silently_clean(keras):
    import numpy as np

    model = functional_shared_bn(keras)
    model.compile("sgd", "mse")
    x, y = np.zeros((8, 12), "float32"), np.zeros((8, 1), "float32")
    model.fit(x, y, epochs=1, verbose=0)  # the train step is traced here, before layerlint looks
    with tracing() as report:
        model.fit(x, y, epochs=1, verbose=0)
    assert report.blind and codes(report) == []
    assert "no layer call was recorded" in notes(report) and "tracing(model)" in notes(report)
    assert report.summary() == "no layer call was recorded: nothing could be checked"
    with tracing(model) as report:  # the model given: its compiled steps are traced again
        model.fit(x, y, epochs=1, verbose=0)
    assert codes(report) == ["LL002"]
    assert_clean_hooks()


# ---------------------------------------------------------------------------------------------
# i16_2: Keras functional models are located where the graph was built
# ---------------------------------------------------------------------------------------------
def mobilenet_with_shared_bn(keras, monkeypatch):
    """MobileNetV3Small (random weights, 32x32) whose block-1 depthwise BN is its expand BN (both 72
    channels): the reuse is injected while keras.applications' own builder runs."""
    from keras.src import layers

    made = {}
    original = layers.BatchNormalization

    def batch_norm(*args, name=None, **kwargs):
        if name == "expanded_conv_1_depthwise_bn":
            return made["expanded_conv_1_expand_bn"]
        made[name] = original(*args, name=name, **kwargs)
        return made[name]

    monkeypatch.setattr(layers, "BatchNormalization", batch_norm)
    with recording_builds():
        model = keras.applications.MobileNetV3Small(input_shape=(32, 32, 3), weights=None, classes=10)
    monkeypatch.undo()
    return model


def test_i16_2_keras_applications_finding_names_the_builder_line(keras, monkeypatch):
    import numpy as np

    model = mobilenet_with_shared_bn(keras, monkeypatch)
    report = trace(model, np.zeros((2, 32, 32, 3), "float32"))
    assert codes(report) == ["LL002"]
    diag = report.diagnostics[0]
    assert diag.span.path.endswith(os.path.join("applications", "mobilenet_v3.py"))
    assert "BatchNormalization(" in linecache.getline(diag.span.path, diag.span.line)
    first, also = diag.related
    assert first.span.path == diag.span.path and first.span.line < diag.span.line
    assert first.message.render() == "first called here, on the output of expanded_conv_1_expand"
    assert also.message.render() == "also called here, on the output of expanded_conv_1_depthwise"
    assert "built before tracing" not in notes(report)
    assert_clean_hooks()


def test_i16_2_model_built_before_tracing_says_where_to_look(keras):
    import numpy as np

    report = trace(functional_shared_bn(keras), np.zeros((2, 12), "float32"))
    assert codes(report) == ["LL002"]
    assert "built before tracing" in notes(report) and "recording_builds()" in notes(report)
    # built under recording_builds: the two builder lines, not the caller's
    with recording_builds():
        model = functional_shared_bn(keras)
    diag = trace(model, np.zeros((2, 12), "float32")).diagnostics[0]
    lines = [diag.span.line] + [r.span.line for r in diag.related]
    assert diag.span.path.endswith("test_trace_real_models.py") and len(set(lines)) == 2


def test_i16_2_cli_names_the_builder_lines_of_a_functional_example(keras, capsys):
    example = ROOT / "examples" / "keras" / "functional_shared.py"
    assert cli([f"{example}:build_model", "--input-shape", "2,12", "--input-shape", "2,12"]) == 1
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "functional_shared.py:13:" in first and "LL002 [warning]" in first  # d = norm(project(document))
    assert "functional_shared.py:12:" in out and "first called here, on the output of dense" in out


def test_i16_2_i16_4_cli_builds_keras_applications_with_init_args(keras, capsys):
    args = ["keras.applications:MobileNetV3Small", "--input-shape", "2,32,32,3", "--eval",
            "--init-args", '{"weights": null, "input_shape": [32, 32, 3], "classes": 10}']
    assert cli(args) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "164 layer instances, 164 calls recorded: no unsafe reuse found" in captured.err


# ---------------------------------------------------------------------------------------------
# i16_3: findings follow [tool.layerlint] and the arguments
# ---------------------------------------------------------------------------------------------
def tied_and_shared_bn(torch):
    nn = torch.nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Linear(4, 4)
            self.norm = nn.BatchNorm1d(4)

        def forward(self, x):
            x = self.norm(self.embed(x))
            return self.norm(self.embed(x))

    return Model().train()


def test_i16_3_trace_follows_pyproject_and_arguments(torch, tmp_path, monkeypatch):
    x = torch.zeros(3, 4)
    monkeypatch.chdir(tmp_path)
    assert codes(trace(tied_and_shared_bn(torch), x)) == ["LL002", "LL003"]  # the API keeps info findings

    (tmp_path / "pyproject.toml").write_text('[tool.layerlint]\nignore = ["LL002"]\n')
    report = trace(tied_and_shared_bn(torch), x)
    assert codes(report) == ["LL003"] and [d.code for d in report.hidden] == ["LL002"]

    (tmp_path / "pyproject.toml").write_text('[tool.layerlint]\nallow-shared = ["norm"]\n'
                                             'severity = { LL003 = "warning" }\n')
    report = trace(tied_and_shared_bn(torch), x)
    assert codes(report) == ["LL003"] and report.diagnostics[0].severity is Severity.WARNING

    (tmp_path / "pyproject.toml").write_text("[tool.layerlint]\n")
    assert codes(trace(tied_and_shared_bn(torch), x, allow=["BatchNorm1d"])) == ["LL003"]
    assert codes(trace(tied_and_shared_bn(torch), x, select=["LL002"])) == ["LL002"]
    assert codes(trace(tied_and_shared_bn(torch), x, ignore=["LL003"])) == ["LL002"]
    with pytest.raises(AssertionError, match="LL002"):
        assert_no_unsafe_reuse(tied_and_shared_bn(torch), x)
    assert codes(assert_no_unsafe_reuse(tied_and_shared_bn(torch), x, allow=["self.norm"])) == ["LL003"]
    with tracing(ignore=["LL002"]) as report:
        tied_and_shared_bn(torch)(x)
    assert codes(report) == ["LL003"]


TORCH_FILE = """
import torch
from torch import nn

class Tied(nn.Module):
    def __init__(self, vocab=10, width=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.proj = nn.Linear(width, width)

    def forward(self, input_ids, attention_mask=None):
        x = self.proj(self.proj(self.embed(input_ids)))
        if attention_mask is not None:
            x = x * attention_mask[..., None]
        return x
"""


def test_i16_3_cli_selection_lang_and_exit_codes_match_check(torch, tmp_path, capsys):
    path = tmp_path / "tied.py"
    path.write_text(TORCH_FILE)
    base = [f"{path}:Tied", "--input", "input_ids=2,5:int64:0-9"]
    assert cli(base) == 0  # LL003 (info) is off by default, as in `check`
    captured = capsys.readouterr()
    assert captured.out == "" and "(1 more hidden by the selection or configuration: LL003)" in captured.err
    assert cli(base + ["--extend-select", "LL003"]) == 1
    assert "LL003 [info] `proj` (Linear) is called 2 times" in capsys.readouterr().out
    (tmp_path / "pyproject.toml").write_text('[tool.layerlint]\nextend-select = ["LL003"]\n')
    assert cli(base) == 1  # the configuration next to the traced file applies
    assert cli(base + ["--ignore", "LL003"]) == 0
    assert cli(base + ["--allow", "proj"]) == 0
    capsys.readouterr()
    assert cli(base + ["--lang", "zh"]) == 1
    assert "记录了 3 个层实例" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").write_text('[tool.layerlint]\nignore = "LL003"\n')
    assert cli(base) == 2
    assert "ignore" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# i16_4: the CLI feeds real models
# ---------------------------------------------------------------------------------------------
def test_i16_4_input_specs_parse_and_reject_clearly():
    spec = parse_input("input_ids=2,16:int64:0-999", "float32")
    assert (spec.name, spec.shape, spec.dtype, spec.low, spec.high) == ("input_ids", (2, 16), "int64", 0, 999)
    assert parse_input("2,3", "float16").dtype == "float16" and parse_input("2,3", "float16").name is None
    assert (parse_input("x=4:int32:-5-5", "float32").low, parse_input("x=4:int32:-5-5", "float32").high) == (-5, 5)
    for bad, why in (("2,a", "comma-separated"), ("1x=2", "not a name"), ("x=2:int64:9-1", "LOW <= HIGH"),
                     ("x=2:int64:a-b", "range")):
        with pytest.raises(CannotRun, match=why):
            parse_input(bad, "float32")


def test_i16_4_cli_keyword_int_inputs_init_args_mode_and_seed(torch, tmp_path, capsys):
    path = tmp_path / "tied.py"
    path.write_text(TORCH_FILE)
    base = [f"{path}:Tied", "--input", "input_ids=2,5:int64:0-99", "--input", "attention_mask=2,5",
            "--format", "json", "--extend-select", "LL003", "--init-args", '{"vocab": 100}']
    # ids up to 99 need the constructor argument: the default vocabulary of 10 would fail
    assert cli(base + ["--eval", "--seed", "3"]) == 1
    data = json.loads(capsys.readouterr().out)
    calls = {inst["path"]: inst["calls"] for inst in data["instances"]}
    assert calls["embed"][0]["dtypes"] == ["int64"] and calls["embed"][0]["training"] is False
    assert data["summary"] == "3 layer instances, 4 calls recorded: 1 finding(s)"
    assert cli(base + ["--train"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {inst["path"]: inst["calls"] for inst in data["instances"]}["embed"][0]["training"] is True
    assert cli(base[:-2]) == 2  # vocab 10: ids out of range, the forward pass raised
    assert "forward pass raised" in capsys.readouterr().err
    assert cli(base[:-1] + ["[1]"]) == 2
    assert "expected a JSON object" in capsys.readouterr().err
    assert cli([f"{path}:Tied"]) == 2
    assert "--input-shape or --input" in capsys.readouterr().err


def test_i16_4_cli_gives_a_keras_model_named_inputs_as_one_dict(keras, tmp_path, capsys):
    path = tmp_path / "two_towers.py"
    path.write_text(textwrap.dedent("""
        import keras

        def build():
            ids = keras.Input((6,), dtype="int32", name="token_ids")
            mask = keras.Input((6,), name="padding_mask")
            embed = keras.layers.Embedding(50, 4)
            norm = keras.layers.BatchNormalization()
            x = norm(embed(ids))
            y = norm(keras.layers.Dense(4)(mask[..., None]))
            return keras.Model({"token_ids": ids, "padding_mask": mask}, x + y)

        model = build()  # built at import: still located at the builder's lines
    """))
    inputs = ["--input", "token_ids=2,6:int32:0-49", "--input", "padding_mask=2,6:float32"]
    for name in ("build", "model"):
        assert cli([f"{path}:{name}"] + inputs) == 1
        out = capsys.readouterr().out
        assert "two_towers.py:10:" in out and "LL002 [warning] `batch_normalization" in out
        assert "two_towers.py:9:" in out and "built before tracing" not in out


# ---------------------------------------------------------------------------------------------
# i16_5: less noise
# ---------------------------------------------------------------------------------------------
def test_i16_5_shared_subnetwork_reported_once_loop_and_same_line_sites(torch):
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, encoding):
            super().__init__()
            self.encoding = encoding  # one position-encoding sub-network shared by every block (CoaT)
            self.mlp = nn.Linear(4, 4)

        def forward(self, x):
            return self.mlp(self.encoding(x))

    class CoaTLike(nn.Module):
        def __init__(self):
            super().__init__()
            shared = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
            self.blocks = nn.ModuleList([Block(shared), Block(shared), Block(shared)])

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    report = trace(CoaTLike(), torch.zeros(2, 4))
    assert len(report.diagnostics) == 1, report.render_text()  # not again for its Linear and LayerNorm
    diag = report.diagnostics[0]
    assert "`blocks[0].encoding` (Sequential)" in diag.message.render() and "called 3 times" in diag.message.render()

    class Albert(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(4, 4)

        def forward(self, x):
            for _ in range(3):
                x = self.layer(x)
            return x

    diag = trace(Albert(), torch.zeros(2, 4)).diagnostics[0]
    assert [r.message.render() for r in diag.related] == ["called 3 times here"]
    assert diag.related[0].span == diag.span

    class Stack(nn.Module):
        def __init__(self, embed):
            super().__init__()
            self.embed = embed

        def forward(self, x):
            return self.embed(x)

    class T5Like(nn.Module):
        def __init__(self):
            super().__init__()
            self.shared = nn.Embedding(10, 4)
            self.encoder, self.decoder = Stack(self.shared), Stack(self.shared)

        def forward(self, ids):
            return self.decoder(ids) + self.encoder(ids).mean()

    diag = trace(T5Like(), torch.zeros(2, 3, dtype=torch.long)).diagnostics[0]
    rendered = [r.message.render() for r in diag.related]
    assert rendered == ["first called here, inside decoder", "also called here, inside encoder",
                        "the same instance is also named encoder.embed, decoder.embed"]
    assert diag.related[0].span == diag.related[1].span == diag.span


def test_e13_x9_model_file_exiting_or_parsing_argv_at_import(torch, tmp_path, capsys):
    """Robustness review E13 (a model file calling sys.exit(0) at import exited 0 with no output)
    and X9 (its argparse saw layerlint's own arguments)."""
    exits = tmp_path / "exits.py"
    exits.write_text("import sys\nsys.exit(0)\n")
    assert cli([f"{exits}:Net", "--input-shape", "2,4"]) == 2
    assert "called sys.exit(0)" in capsys.readouterr().err
    parses = tmp_path / "parses.py"
    parses.write_text(textwrap.dedent("""
        import argparse
        import torch
        args = argparse.ArgumentParser().parse_args()  # no options: fails on layerlint's own argv

        def build():
            return torch.nn.Linear(4, 4)
    """))
    assert cli([f"{parses}:build", "--input-shape", "2,4"]) == 0
    assert "1 layer instances, 1 calls recorded: no unsafe reuse found" in capsys.readouterr().err
