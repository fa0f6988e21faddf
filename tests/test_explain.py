"""`layerlint explain CLASS` and the editor hover (issue 18, point 5; user trial section 3): a three-line
verdict first (what the layer holds, what reuse does, what to do), the probe's evidence only behind
`details`; quoted framework errors never show the sizes of the probe's own layer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from layerlint.catalog import DATA_DIR, FRAMEWORKS, lookup, probe, verdict
from layerlint.server.hover import Analysis, hover
from layerlint.static.checker import check_source

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "keras" / "article_buggy.py"
LABELS = ("holds: ", "reuse: ", "do: ")


def verdict_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()[1:4]]


@pytest.mark.parametrize("name, holds, reuse, do", [
    ("torch.nn.BatchNorm2d", "running statistics", "updates the same statistics", "its own BatchNorm2d"),
    ("keras.layers.Dense", "created by its first call", "shares one set of weights", "allow-shared"),
    ("keras.layers.MaxPool2D", "no weights and no state", "safe", "one instance may serve every call site"),
    ("keras.layers.Dropout", "random-number generator", "safe", "one instance may serve"),
])
def test_explain_starts_with_the_three_line_verdict(name, holds, reuse, do):
    text = probe.explain_class(None, name)
    lines = verdict_of(text)
    assert [line[:len(label)] for line, label in zip(lines, LABELS)] == list(LABELS)
    assert holds in lines[0] and reuse in lines[1] and do in lines[2]
    assert "evidence" not in text and f"details: layerlint explain --details {name}" in text
    assert len(text.splitlines()) <= 9  # a verdict, not a data dump


def test_details_add_the_evidence_after_the_verdict():
    short = probe.explain_class(None, "torch.nn.Conv2d")
    full = probe.explain_class(None, "torch.nn.Conv2d", details=True)
    assert verdict_of(full) == verdict_of(short)
    assert "evidence:" in full and "built as Conv2d(in_channels=11" in full
    assert "--details" not in full


def test_variants_are_one_line_each_in_the_verdict():
    text = probe.explain_class("torch", "BatchNorm2d")
    assert "with affine=False, track_running_stats=False: nothing: no weights and no state" in text
    assert "with track_running_stats=False: trainable weights, sized by its constructor" in text


def test_the_verdict_is_translated():
    text = probe.explain_class(None, "torch.nn.BatchNorm2d", lang="zh")
    lines = verdict_of(text)
    assert lines[0].startswith("持有：滑动平均统计量") and "仿射参数" in lines[0]
    assert lines[1].startswith("复用：") and lines[2].startswith("做法：")
    assert "运行时统计量" not in text


def _probe_numbers(text: str) -> list[str]:
    """Bare numbers in the parts of a message that describe the probed layer."""
    parts = re.findall(r"weight of size \[[^\]]*\]|expected shape=\([^)]*\)|\(\S*x\S* and \S*x\S*\)|"
                       r"should contain \S+ elements not \S+", text)
    return [n for part in parts for n in re.findall(r"(?<![\w{])\d+(?![\w}])", part)]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_shipped_error_template_shows_the_probes_sizes(framework):
    """The user trial saw `weight of size [3, 6, 1, 1]` quoted for a user's `Conv2d(6, 16, 3)`."""
    document = json.loads((DATA_DIR / f"{framework}.json").read_text(encoding="utf-8"))
    for name, entry in document["classes"].items():
        for record in (entry, *entry.get("variants", ())):
            template = record.get("reuse_error") or ""
            assert _probe_numbers(template) == [], (name, template)
            traits = lookup(framework, name)
            if traits.reuse_error:
                assert _probe_numbers(verdict.framework_error(traits.reuse_error, name)) == []


def test_templatize_generalizes_the_probes_sizes():
    """A re-probe writes the same generalised templates as the shipped catalog."""
    message = ("RuntimeError: Given groups=1, weight of size [3, 11, 1, 1], expected input[2, 13, 4, 4] "
               "to have 11 channels, but got 13 channels instead")
    template = probe.templatize(message, layer=None, cls="Conv2d", expected=11, received=13,
                                received_shape=(2, 13, 4, 4))
    assert template == ("RuntimeError: Given groups=1, weight of size […, {expected}, …, …], expected "
                        "input{received_shape} to have {expected} channels, but got {received} channels instead")
    linear = probe.templatize("RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x13 and 11x3)",
                              layer=None, cls="Linear", expected=11, received=13, received_shape=(2, 13))
    assert linear == "RuntimeError: mat1 and mat2 shapes cannot be multiplied (…x{received} and {expected}x…)"


def test_the_check_message_quotes_no_probe_weight_size():
    source = ("import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
              "        super().__init__()\n        self.stem = nn.Conv2d(3, 16, 3)\n"
              "        self.conv = nn.Conv2d(6, 16, 3)\n\n    def forward(self, x):\n"
              "        return self.conv(self.stem(x))\n")
    (finding,) = check_source(source, "net.py", fixes=False)
    message = finding.message.render()
    assert "weight of size […, 6, …, …]" in message and "[3, 6, 1, 1]" not in message


# --- hover ---------------------------------------------------------------------------------------


def test_hover_on_an_instance_is_short_and_verdict_first():
    analysis = Analysis.of(ARTICLE.read_text(encoding="utf-8"), str(ARTICLE))
    found = hover(analysis, 19, 20)  # `self.batchnorm` in `x = self.batchnorm(x)`
    lines = found.markdown.splitlines()
    assert lines[0] == "**`self.batchnorm`**: `BatchNormalization` (Keras 3 layer, running-statistics)"
    assert [line[:len("- " + label)] for line, label in zip(lines[2:5], LABELS)] == ["- " + lb for lb in LABELS]
    assert "raises ValueError" in lines[3] and "incompatible" not in found.markdown  # the type, not the text
    assert "line 16 (in `FeatureExtractor.call`): 6 features" in found.markdown
    assert lines[-1].startswith("details: `layerlint explain --details keras.layers.BatchNormalization`")
    assert "catalog/keras.html" in lines[-1]
    assert "evidence" not in found.markdown and len(lines) <= 14


def test_hover_on_a_class_and_in_chinese():
    analysis = Analysis.of(ARTICLE.read_text(encoding="utf-8"), str(ARTICLE))
    found = hover(analysis, 10, 30, lang="zh")  # `BatchNormalization()` in the constructor
    lines = found.markdown.splitlines()
    assert lines[0] == "**`BatchNormalization`** (Keras 3 层, running-statistics)"
    assert lines[2].startswith("- 持有：滑动平均统计量") and lines[4].startswith("- 做法：")
    assert lines[-1].startswith("详情：`layerlint explain --details keras.layers.BatchNormalization`")


# --- through the command line --------------------------------------------------------------------


def test_explain_command_prints_the_verdict():
    run = subprocess.run([sys.executable, "-m", "layerlint", "explain", "torch.nn.BatchNorm2d"],
                         capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, LAYERLINT_LANG="en"))
    assert run.returncode == 0, run.stderr
    assert verdict_of(run.stdout)[0].startswith("holds: running statistics")
    assert "evidence" not in run.stdout



def test_explain_details_command_adds_the_evidence():
    run = subprocess.run([sys.executable, "-m", "layerlint", "explain", "--details", "torch.nn.Conv2d"],
                         capture_output=True, text=True, timeout=60, env=dict(os.environ, LAYERLINT_LANG="en"))
    assert run.returncode == 0, run.stderr
    assert verdict_of(run.stdout)[0].startswith("holds: trainable weights")
    assert "evidence:" in run.stdout and "built as Conv2d(" in run.stdout


def test_getting_started_shows_the_real_explain_output():
    page = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    shown = page.split("$ layerlint explain torch.nn.BatchNorm2d\n", 1)[1].split("```", 1)[0]
    assert shown == probe.explain_class(None, "torch.nn.BatchNorm2d") + "\n"
