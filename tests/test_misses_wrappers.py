"""Issue 14's two-wrappers road in a container (eval/README.md "Known misses", p85): one layer given
to two wrapper modules built inside one `nn.Sequential(...)` is called by both wrappers whenever the
Sequential runs; the sharing is shown where it is handed to them."""

from __future__ import annotations

from layerlint.static.checker import Selection, check_source

ALL = Selection(select=("ALL",))

MLP = """\
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


class MLP(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        hidden = {hidden}
        self.blocks = nn.Sequential(Residual({first}), Residual(hidden))

    def forward(self, x):
        return self.blocks(x)
"""


def _found(source: str) -> set[tuple[int, str, str]]:
    return {(d.span.line, d.code, d.layer_class) for d in check_source(source, "model.py", ALL)}


def test_one_linear_in_two_wrappers_of_a_sequential_is_shared_weights():
    assert _found(MLP.format(hidden="nn.Linear(width, width)", first="hidden")) == {(17, "LL003", "Linear")}


def test_one_batchnorm_in_two_wrappers_of_a_sequential_is_shared_statistics():
    assert _found(MLP.format(hidden="nn.BatchNorm1d(width)", first="hidden")) == {(17, "LL002", "BatchNorm1d")}


def test_two_linears_in_two_wrappers_are_not_shared():
    assert _found(MLP.format(hidden="nn.Linear(width, width)", first="nn.Linear(width, width)")) == set()
