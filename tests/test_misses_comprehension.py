"""Issue 14's constructor-argument roads (eval/README.md "Known misses"): one instance handed to
every element of a comprehension (`[Step(shared, dim) for _ in range(n)]`) or twice to one
constructor (`ConvPair(bn, bn, width)`) is reported where it is handed over; the layers each element
builds itself are its own, even though the analysis keeps one summary for the family."""

from __future__ import annotations

from layerlint.static.checker import Selection, check_source

ALL = Selection(select=("ALL",))

STEP = """\
import torch.nn as nn
import torch.nn.functional as F


class GLU(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, 2 * dim)
        self.bn = nn.BatchNorm1d(2 * dim)

    def forward(self, x):
        return F.glu(self.bn(self.fc(x)))


class Step(nn.Module):
    def __init__(self, shared, dim):
        super().__init__()
        self.shared = shared
        self.own = GLU(dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        return self.norm(self.own(self.shared(x)))


class Encoder(nn.Module):
    def __init__(self, dim=8, n=3):
        super().__init__()
        shared = {shared}
        self.steps = nn.ModuleList([Step(shared, dim) for _ in range(n)])

    def forward(self, x):
        out = 0
        for step in self.steps:
            out = out + step(x)
        return out
"""


def _found(source: str) -> set[tuple[int, str]]:
    return {(d.span.line, d.code) for d in check_source(source, "model.py", ALL) if d.code != "LL003"}


def test_comprehension_one_block_handed_to_every_element_is_reported_at_the_comprehension():
    # The one GLU every Step holds: its BatchNorm's running statistics are shared by every step, and
    # no call in the code repeats it on purpose (a siamese tower would be LL003).
    found = check_source(STEP.format(shared="GLU(dim)"), "model.py", ALL)
    warnings = {(d.span.line, d.code, d.layer_class) for d in found if d.code == "LL002"}
    assert warnings == {(30, "LL002", "GLU")}


def test_comprehension_each_element_own_layers_are_not_shared():
    # Negative: the handed layer holds weights only (a Linear); each Step's own GLU
    # (its BatchNorm) and own LayerNorm are one per element, so no warning anywhere.
    source = STEP.format(shared="nn.Linear(dim, dim)")
    assert _found(source) == set()
    infos = {(d.span.line, d.layer_class) for d in check_source(source, "model.py", ALL) if d.code == "LL003"}
    assert infos == {(30, "Linear")}  # the designed weight sharing, where it is handed over


PAIR = """\
import torch.nn as nn


class ConvPair(nn.Module):
    def __init__(self, bn_a, bn_b, width):
        super().__init__()
        self.conv_a = nn.Conv2d(width, width, 3, padding=1)
        self.bn_a = bn_a
        self.conv_b = nn.Conv2d(width, width, 3, padding=1)
        self.bn_b = bn_b

    def forward(self, x):
        return self.bn_b(self.conv_b(self.bn_a(self.conv_a(x))))


class Net(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        bn = nn.BatchNorm2d(width)
        self.block = ConvPair({args})

    def forward(self, x):
        return self.block(x)
"""


def test_one_norm_passed_for_two_slots_is_reported_where_it_is_passed():
    assert _found(PAIR.format(args="bn, bn, width")) == {(20, "LL002")}


def test_two_norms_passed_for_two_slots_are_not_shared():
    assert _found(PAIR.format(args="bn, nn.BatchNorm2d(width), width")) == set()
