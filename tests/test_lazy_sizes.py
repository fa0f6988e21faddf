"""Issue 14: a PyTorch `LazyBatchNorm1d` shared between the outputs of two `Linear`s of different widths.

The model never states its input's rank (only whoever calls it does), and a lazy norm declares no size
that could tell (N, C) from (N, L, C). The checker reads a `Linear`'s output fed to a BatchNorm1d as
(N, C), its conventional use (over (N, L, C) the norm would normalise over L), so two widths are a
crash (LL001), and the finding says what it assumed at the call where it assumed it. Where the source
says otherwise (the tensor is transposed, reshaped to a stated rank, or is not a `Linear`'s output)
nothing is assumed. Each model here is also run with the real framework when PyTorch is installed.
"""

from __future__ import annotations

import importlib.util
import types

import pytest

from layerlint.diagnostics import Severity
from layerlint.static.checker import Selection, check_source
from layerlint.static.shapes import TORCH, Arguments, Shape, same

ALL = Selection(select=("ALL",))
torch_only = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed")

TWO_WIDTHS = """\
import torch
from torch import nn


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 32)
        self.norm = nn.LazyBatchNorm1d()

    def forward(self, x):
        x = self.norm(self.fc1(x)).relu()
        return self.norm(self.fc2(x))
"""

# The same two widths, each transposed to (N, C, L) first: the code states where the channels are.
TRANSPOSED = TWO_WIDTHS.replace("""\
        x = self.norm(self.fc1(x)).relu()
        return self.norm(self.fc2(x))
""", """\
        h = self.fc1(x)
        h = self.norm(h.transpose(1, 2)).transpose(1, 2)
        h = self.fc2(h)
        return self.norm(h.transpose(1, 2))
""")

# An LSTM's output is (N, L, H): not a Linear's, so its rank is not assumed. With the same length both
# calls read L features and run (sharing the norm's statistics).
AFTER_LSTM = """\
import torch
from torch import nn


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn1 = nn.LSTM(8, 16, batch_first=True)
        self.rnn2 = nn.LSTM(16, 32, batch_first=True)
        self.norm = nn.LazyBatchNorm1d()

    def forward(self, x):
        h, _ = self.rnn1(x)
        h = self.norm(h)
        h, _ = self.rnn2(h)
        return self.norm(h)
"""

# One width twice: the lazy norm is sized once and fits both calls; only the statistics are shared.
ONE_WIDTH = TWO_WIDTHS.replace("nn.Linear(16, 32)", "nn.Linear(16, 16)")

# The input is reshaped to three axes, (N, L, C), and nothing is assumed (the analysis does not follow
# that reshape, and an operation it does not follow says nothing): the norm reads L = 5 at both calls
# and runs.
STATED_RANK = TWO_WIDTHS.replace("x = self.norm(self.fc1(x)).relu()",
                                 "x = x.reshape(-1, 5, 8)\n        x = self.norm(self.fc1(x)).relu()")
# The same with `unsqueeze`: (N, 1, C), so the norm reads one feature at both calls.
UNSQUEEZED = TWO_WIDTHS.replace("x = self.norm(self.fc1(x)).relu()",
                                "x = self.norm(self.fc1(x.unsqueeze(1))).relu()")
# An Embedding's output is (N, L, E): a Linear after it leaves the rank unassumed (the norm reads L).
AFTER_EMBEDDING = TWO_WIDTHS.replace("self.fc1 = nn.Linear(8, 16)", "self.embed = nn.Embedding(50, 8)\n"
                                     "        self.fc1 = nn.Linear(8, 16)").replace(
    "x = self.norm(self.fc1(x)).relu()", "x = self.norm(self.fc1(self.embed(x))).relu()")


# The same road through two Sequentials holding one lazy norm, and through a loop over Linears.
IN_SEQUENTIALS = """\
import torch
from torch import nn


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        bn = nn.LazyBatchNorm1d()
        self.a = nn.Sequential(nn.Linear(8, 16), bn, nn.ReLU())
        self.b = nn.Sequential(nn.Linear(16, 32), bn)

    def forward(self, x):
        return self.b(self.a(x))
"""

IN_A_LOOP = """\
import torch
from torch import nn


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.fcs = nn.ModuleList([nn.Linear(8, 16), nn.Linear(16, 32)])
        self.bn = nn.LazyBatchNorm1d()

    def forward(self, x):
        for fc in self.fcs:
            x = self.bn(fc(x))
        return x
"""


def _findings(source: str) -> list:
    return [d for d in check_source(source, "model.py", ALL) if d.severity is not Severity.INFO]


def _run(source: str, shape: tuple[int, ...]) -> BaseException | None:
    import torch

    module = types.ModuleType("lazy_model")
    exec(compile(source, "lazy_model.py", "exec"), module.__dict__)
    try:
        module.Tower()(torch.randn(*shape))
    except RuntimeError as error:
        return error
    return None


def test_i14_lazy_batchnorm_after_two_linear_widths_is_ll001():
    (finding,) = _findings(TWO_WIDTHS)
    assert (finding.code, finding.span.line) == ("LL001", 14)
    message = finding.message.render()
    assert "16 features" in message and "gets 32" in message
    assert "(N, C)" in message and "a Linear's output" in message and "(N, L, C)" in message
    first = finding.related[0]
    assert first.span.line == 13
    assert "reading this Linear output as (N, C)" in first.message.render()
    assert "running_mean should contain 32 elements not 16" in message


@pytest.mark.parametrize("source, line, where", [(IN_SEQUENTIALS, 13, "here"),
                                                 (IN_A_LOOP, 13, "in the next iteration of the loop")],
                         ids=["sequentials", "loop"])
def test_i14_lazy_batchnorm_other_roads(source, line, where):
    (finding,) = _findings(source)
    assert (finding.code, finding.span.line) == ("LL001", line)
    assert f"gets 32 {where} (reading each input as (N, C)" in finding.message.render()


def test_i14_lazy_batchnorm_assumption_is_translated():
    (finding,) = _findings(TWO_WIDTHS)
    rendered = finding.message.render("zh_CN")
    assert "(N, C)" in rendered and "Linear" in rendered and "reading each input" not in rendered
    assert "reading this Linear output" not in finding.related[0].message.render("zh_CN")


@pytest.mark.parametrize("source", [TRANSPOSED, AFTER_LSTM, ONE_WIDTH, STATED_RANK, UNSQUEEZED,
                                    AFTER_EMBEDDING],
                         ids=["transposed", "after_lstm", "one_width", "stated_rank", "unsqueezed",
                              "after_embedding"])
def test_i14_lazy_batchnorm_nothing_assumed_where_the_source_says_otherwise(source):
    """No LL001 from the assumption; the sharing itself is still reported (LL002). The transposed
    model crashes when run (16 then 32 channels on axis 1): a crash the checker does not claim, as
    the transposes leave the channel axis unstated."""
    codes = {d.code for d in _findings(source)}
    assert "LL001" not in codes and "LL002" in codes


def test_i14_a_declared_batchnorm1d_is_not_read_by_the_lazy_assumption():
    """`BatchNorm1d(7)` after Linears of 8 and 9 features: no call matches the declared size, and some
    code means a norm over a sequence of 7 positions, so nothing is assumed (settle_ranks as before)."""
    source = (TWO_WIDTHS.replace("nn.LazyBatchNorm1d()", "nn.BatchNorm1d(7)")
              .replace("nn.Linear(8, 16)", "nn.Linear(8, 8)").replace("nn.Linear(16, 32)", "nn.Linear(8, 9)"))
    assert "LL001" not in {d.code for d in _findings(source)}


def test_i14_only_a_linear_output_of_unknown_rank_is_marked_projected():
    linear = TORCH["Linear"]
    arguments = Arguments(positional=[8, 16])
    out = linear.apply(arguments, [Shape()])
    assert out.projected and out.size(-1) == 16 and out.rank is None
    assert not linear.apply(arguments, [Shape(3)]).projected  # a stated rank needs no assumption
    assert same(linear, arguments, [out]) is out  # activations and norms carry the mark on
    assert not out.with_size(-1, 4).projected and not out.with_rank(None).projected
    assert not TORCH["LSTM"].apply(Arguments(positional=[8, 16]), [Shape()]).projected
    # a Linear after an unfollowed operation, an LSTM or an Embedding does not mark its output either
    unfollowed = linear.apply(arguments, [None])
    assert not linear.apply(arguments, [unfollowed]).projected
    after_lstm = TORCH["LSTM"].apply(Arguments(positional=[8, 16]), [Shape()])
    assert not linear.apply(arguments, [after_lstm]).projected
    assert linear.apply(arguments, [out]).projected  # a Linear after a Linear keeps the mark
    assert TORCH["LazyLinear"].apply(Arguments(positional=[4]), [Shape()]).projected
    # an input the analysis could not follow (`x.unsqueeze(1)`, `x.reshape(-1, 5, 8)`) says nothing
    assert not linear.apply(arguments, [None]).projected
    assert TORCH["LazyBatchNorm1d"].ranks == (2, 3) and TORCH["LazyBatchNorm2d"].ranks == ()


@torch_only
def test_i14_the_real_runs_agree():
    """What each model does at the ranks the assumption is about."""
    assert "running_mean should contain 32 elements not 16" in str(_run(TWO_WIDTHS, (4, 8)))
    assert _run(TWO_WIDTHS, (4, 5, 8)) is None  # (N, L, C): reads L, the well-known mistake, runs
    assert _run(TRANSPOSED, (4, 5, 8)) is not None  # (N, C, L) at 16 then 32 channels: a crash the
    # checker does not claim (the transposes leave the channel count unstated on axis 1)
    assert _run(AFTER_LSTM, (4, 5, 8)) is None
    assert _run(ONE_WIDTH, (4, 8)) is None
    assert _run(STATED_RANK, (20, 8)) is None
    assert _run(UNSQUEEZED, (4, 8)) is None
    for crashing in (IN_SEQUENTIALS, IN_A_LOOP):
        assert "running_mean should contain 32 elements not 16" in str(_run(crashing, (4, 8)))
    import torch

    module = types.ModuleType("lazy_embedding")
    exec(compile(AFTER_EMBEDDING, "lazy_embedding.py", "exec"), module.__dict__)
    module.Tower()(torch.randint(0, 50, (4, 5)))  # (N, L) tokens: the norm reads L = 5 twice and runs
