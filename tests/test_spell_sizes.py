"""Issue 14 goals on accuracy: crashes found where the source states the sizes.

* a `BatchNorm1d` after a `Linear`: one call whose last axis has the declared size says the input is
  (N, C), so another width at another call is a crash (LL001), not shared statistics;
* a user block called twice is sized by the literal arguments of its construction (`Block(7, 11)`);
* a tensor flattened after its channel axis has a multiple of the channel count as its size: a
  `Linear` declared for a size that is not such a multiple can never take it (LL006, eval p29).

Each reported case is also run with PyTorch (when installed) to show that it really crashes, and
each negative twin that it really runs.
"""

from __future__ import annotations

import importlib.util
import textwrap

import pytest

from layerlint.static.checker import Selection, check_source
from layerlint.static.shapes import Shape, flattened


def codes(source: str, path: str = "model.py", project=None) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for diagnostic in check_source(textwrap.dedent(source), path, Selection(select=("ALL",)), project=project):
        found.setdefault(diagnostic.span.line, []).append(diagnostic.code)
    return {line: sorted(c) for line, c in found.items()}


def line_of(source: str, text: str) -> int:
    """The (last) line of the dedented source holding `text`, as the checker numbers it."""
    lines = textwrap.dedent(source).splitlines()
    return max(number for number, line in enumerate(lines, 1) if text in line)


def run_torch(source: str, *shape: int) -> Exception | None:
    """Builds `Net()` from the source and calls it on zeros of `shape`: the error it raises, if any."""
    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed")
    import torch

    namespace: dict = {}
    exec(compile(textwrap.dedent(source), "<example>", "exec"), namespace)  # the test's own program
    try:
        namespace["Net"]()(torch.zeros(*shape))
    except Exception as error:  # the crash under test
        return error
    return None


BN_AFTER_LINEAR = """
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Linear(4, 7)
            self.shared = nn.BatchNorm1d(7)
            self.mid = nn.Linear(7, {mid})

        def forward(self, x):
            x = self.stem(x)
            h = self.shared(x)
            h = self.mid(h)
            return self.shared(h)
"""


def test_spell_batchnorm1d_after_linear_at_two_widths_is_a_crash():
    source = BN_AFTER_LINEAR.format(mid=5)
    assert codes(source) == {line_of(source, "return self.shared(h)"): ["LL001"]}
    error = run_torch(source, 4, 4)
    assert error is not None and "running_mean" in str(error)


def test_spell_batchnorm1d_after_linear_at_one_width_shares_statistics():
    source = BN_AFTER_LINEAR.format(mid=7)
    assert codes(source) == {line_of(source, "return self.shared(h)"): ["LL002"]}
    assert run_torch(source, 4, 4) is None


def test_spell_batchnorm1d_without_a_matching_call_assumes_no_rank():
    """No call's last axis has the declared size: nothing says where the features are (a (N, C, L)
    input would put them on axis 1 whatever a Linear did to L), so the reuse is only shared state."""
    source = """
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(4, 5)
                self.b = nn.Linear(4, 6)
                self.bn = nn.BatchNorm1d(3)

            def forward(self, x):
                return self.bn(self.a(x)) + self.bn(self.b(x)).sum()
    """
    assert codes(source) == {line_of(source, "return self.bn"): ["LL002"]}
    assert run_torch(source, 2, 3, 4) is None  # (N, C=3, L): both calls run


def test_spell_batchnorm2d_of_unknown_rank_is_not_read_as_rank_2():
    """BatchNorm2d takes (N, C, H, W) only: a Linear's last axis says nothing of its channels."""
    source = """
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(4, 3)
                self.b = nn.Linear(4, 6)
                self.bn = nn.BatchNorm2d(3)

            def forward(self, x):
                return self.bn(self.a(x)) + self.bn(self.b(x)).sum()
    """
    assert codes(source) == {line_of(source, "return self.bn"): ["LL002"]}
    assert run_torch(source, 2, 3, 5, 4) is None


BLOCK = """
    import torch
    from torch import nn


    class Block(nn.Module):
        def __init__(self, width_in, width_out):
            super().__init__()
            self.inner = nn.BatchNorm1d(width_in)

        def forward(self, x):
            return self.inner(x)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Linear(4, 7)
            self.shared = Block({width}, 11)
            self.mid = nn.Linear(7, 6)

        def forward(self, x):
            x = self.stem(x)
            h = self.shared(x)
            h = self.mid(h)
            return self.shared(h)
"""


def test_spell_block_called_twice_is_sized_by_its_construction():
    source = BLOCK.format(width=7)
    found = codes(source)
    assert "LL001" in found[line_of(source, "return self.shared(h)")]
    error = run_torch(source, 4, 4)
    assert error is not None and "running_mean" in str(error)


def test_spell_block_sized_for_neither_call_is_not_a_reuse_crash():
    """Block(9, ...) is declared for 9 features; each call is a mismatch of its own (the first
    crashes first), not one reused size fed two widths: no LL001 from the second call."""
    source = BLOCK.format(width=9)
    assert "LL001" not in codes(source).get(line_of(source, "return self.shared(h)"), [])


FLATTEN = """
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Sequential(nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
            self.conv2 = nn.Sequential(nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
            self.out = nn.Linear({features}, 10)

        def forward(self, x):
            x = self.conv2(self.conv1(x))
            x = {flatten}
            return self.out(x)
"""
FLATTENS = ["x.view(x.size(0), -1)", "x.reshape(x.shape[0], -1)", "x.flatten(1)", "torch.flatten(x, 1)",
            "nn.Flatten()(x)", "x.flatten(start_dim=1)"]


@pytest.mark.parametrize("flatten", FLATTENS)
def test_spell_p29_flattened_size_is_a_multiple_of_the_channels(flatten):
    source = FLATTEN.format(features=1050, flatten=flatten)
    assert codes(source) == {line_of(source, "return self.out(x)"): ["LL006"]}
    error = run_torch(source, 2, 1, 28, 28)
    assert error is not None and "mat1 and mat2" in str(error)


@pytest.mark.parametrize("features", [1568, 32 * 3 * 3, 64])
def test_spell_p29_a_multiple_of_the_channels_is_not_reported(features):
    """1568 = 32·7·7 runs on 28x28 images; 288 = 32·3·3 on 12x12; 64 = 32·2 on 4x8: every multiple of
    the channel count is the flattened size of some input."""
    source = FLATTEN.format(features=features, flatten="x.view(x.size(0), -1)")
    assert codes(source) == {}


def test_spell_view_with_a_stated_size_states_it():
    """`x.view(-1, 1568)` states the last size outright: a Linear(1050) after it is declared for
    another size."""
    source = FLATTEN.format(features=1050, flatten="x.view(-1, 1568)")
    assert codes(source) == {line_of(source, "return self.out(x)"): ["LL006"]}


def test_spell_flattened_shape_rules():
    assert flattened(Shape(4).with_size(1, 32)).multiple(1) == 32
    assert flattened(Shape(4).with_size(1, 32)).size(1) is None
    assert flattened(Shape(2).with_size(1, 12)).size(1) == 12
    assert flattened(Shape()).multiple(-1) is None  # rank unknown: nothing
    assert flattened(Shape(4).with_size(1, 32), start=2).rank is None  # not from the channel axis
    assert Shape(2).with_multiple(1, 32).with_size(1, 7).multiple(1) == 7  # a stated size wins
    assert Shape(2).with_multiple(1, 1).multiples == ()  # a multiple of 1 says nothing
