"""The byte-level pre-filter never hides a finding: every source that has one passes the filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from example_runner import example_sources
from layerlint.static.checker import Selection, check_source
from layerlint.static.prefilter import may_hold_findings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = example_sources() + [
    (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "eval" / "cases").rglob("*.py"))]


@pytest.mark.parametrize("name, source", SOURCES, ids=[name for name, _ in SOURCES])
def test_every_source_with_a_finding_passes_the_filter(name, source):
    findings = check_source(source, name, Selection(select=("ALL",)))
    if findings:
        assert may_hold_findings(source.encode("utf-8"))


def test_the_filter_skips_what_cannot_hold_a_finding():
    assert not may_hold_findings(b"import torch\nx = torch.cat([a, b])  # nn.Linear in a comment\n")
    assert may_hold_findings(b"from torch.nn import BatchNorm2d as BN\nbn = BN(6)\n")
    assert may_hold_findings(b"import keras\nd = keras.layers.Dense(\n    8)\n")
    assert may_hold_findings(b"class Child(Base):\n    def forward(self, x):\n        return x\n")


def test_every_case_with_a_finding_is_counted():
    assert sum(bool(check_source(s, n, Selection(select=("ALL",)))) for n, s in SOURCES) > 60
