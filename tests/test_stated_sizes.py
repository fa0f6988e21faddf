"""Sizes a constructor states by an expression rather than a literal: arithmetic (`nn.Linear(16 * 5 * 5,
120)`, the PyTorch tutorial's LeNet) and an attribute set to a constant (`self.width = 8`, then
`nn.Linear(self.width, 4)`). Each program is also run with PyTorch: the finding says what the run does."""

from __future__ import annotations

import textwrap
import types

import pytest

from layerlint.static.checker import Selection, check_source

torch = pytest.importorskip("torch")

TEMPLATE = """\
import math

import torch.nn as nn


class Net(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        {init}

    def forward(self, x):
        return self.fc(self.fc(x))
"""

STATED = {
    "arithmetic": "self.fc = nn.Linear(4 * 2, 8 * 2)",
    "attribute": "self.width = width\n        self.fc = nn.Linear(8, self.width)",
    "attribute arithmetic": "self.out = 2 * width\n        self.fc = nn.Linear(8, self.out - 16)",
    "name": "self.fc = nn.Linear(8, width)",
    "int of a ratio": "hidden = int(width * 1.5)\n        self.fc = nn.Linear(8, hidden - 8)",  # ViT's mlp_ratio
    "power": "self.fc = nn.Linear(8, 2 ** 4)",
    "max and min": "self.fc = nn.Linear(8, max(min(width, 64), 4))",
    "round": "self.fc = nn.Linear(8, round(width / 1.0))",
    "math.ceil": "self.fc = nn.Linear(8, math.ceil(width * 0.95))",
}


def _source(init: str) -> str:
    return TEMPLATE.format(init=init)


def _run(source: str) -> BaseException | None:
    module = types.ModuleType("stated")
    exec(compile(source, "stated.py", "exec"), module.__dict__)
    try:
        module.Net()(torch.randn(2, 8))
    except RuntimeError as error:
        return error
    return None


@pytest.mark.parametrize("spelling", STATED, ids=list(STATED))
def test_a_stated_size_is_read_through_the_expression(spelling):
    source = _source(STATED[spelling])
    findings = check_source(source, "stated.py", Selection(select=("ALL",)))
    crashes = [d for d in findings if d.code == "LL001"]
    error = _run(source)
    assert error is not None and "mat1 and mat2" in str(error)  # the program itself: 16 features into 8
    (crash,) = crashes
    message = crash.message.render()
    assert "declared for 8 features but gets 16" in message
    # `self.fc(self.fc(x))` is two calls at one line, no loop
    assert message.split(";")[0].endswith("here") and "iteration" not in message


def test_an_expression_the_source_does_not_state_stays_unknown():
    """`nn.Linear(8, width * scale)` with `scale` a parameter without default: no size, no crash claimed."""
    source = textwrap.dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self, scale, width=16):
                super().__init__()
                self.fc = nn.Linear(8, width * scale)

            def forward(self, x):
                return self.fc(self.fc(x))
        """)
    codes = {d.code for d in check_source(source, "stated.py", Selection(select=("ALL",)))}
    assert "LL001" not in codes and "LL003" in codes


BLOCK = """\
import torch.nn as nn

WIDTH = 4


class Block(nn.Module):
    def __init__(self, width_in, width_out):
        super().__init__()
        self.fc = nn.Linear(width_in, width_out)

    def forward(self, x):
        return self.fc(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block(WIDTH * 2, 16)
        self.mid = nn.Linear(16, 12)

    def forward(self, x):
        return self.block(self.mid(self.block(x)))
"""


def test_a_block_is_sized_by_its_constructions_arithmetic():
    """`Block(WIDTH * 2, 16)` called again after a Linear to 12: 12 features into its Linear declared for 8."""
    assert _run(BLOCK) is not None
    crashes = [d for d in check_source(BLOCK, "stated.py", Selection(select=("ALL",))) if d.code == "LL001"]
    assert len(crashes) == 1 and "declared for 8 features but gets 12" in crashes[0].message.render()


def test_a_function_of_the_codes_own_is_not_taken_for_a_builtin():
    """`max` defined by the module may return anything: no size is folded from it."""
    source = "def max(*sizes):\n    return 8\n\n\n" + _source("self.fc = nn.Linear(8, max(16, 4))")
    assert _run(source) is None  # the module's `max` gives 8: Linear(8, 8) runs on its own output
    codes = {d.code for d in check_source(source, "stated.py", Selection(select=("ALL",)))}
    assert "LL001" not in codes


ON_ITS_OUTPUT = BLOCK.replace("""        self.mid = nn.Linear(16, 12)

    def forward(self, x):
        return self.block(self.mid(self.block(x)))""", """
    def forward(self, x):
        return self.block(self.block(x))""")


def test_a_sized_blocks_output_feeds_its_next_call():
    """`self.block(self.block(x))` with `Block(8, 16)`: the first call gives 16 features (a walk of the
    block bound to its stated sizes), which its Linear, declared for 8, cannot take."""
    assert "self.block(self.block(x))" in ON_ITS_OUTPUT
    assert _run(ON_ITS_OUTPUT) is not None
    crashes = [d for d in check_source(ON_ITS_OUTPUT, "stated.py", Selection(select=("ALL",))) if d.code == "LL001"]
    assert len(crashes) == 1 and "declared for 8 features but gets 16" in crashes[0].message.render()
    same = ON_ITS_OUTPUT.replace("Block(WIDTH * 2, 16)", "Block(WIDTH * 2, 8)")
    assert _run(same) is None
    assert not [d for d in check_source(same, "stated.py", Selection(select=("ALL",))) if d.code == "LL001"]


SLICED = """\
import torch.nn as nn

CHANNELS = [3, 16, 32]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(i, o, 3, padding=1) for i, o in zip(CHANNELS[:-1], CHANNELS[1:])])
        self.bn = nn.BatchNorm2d(CHANNELS[1])

    def forward(self, x):
        for conv in self.convs:
            x = self.bn(conv(x))
        return x
"""

# diffusers' ControlNet conditioning embedding: blocks appended in a loop whose length comes from a
# default, then a last layer sized by `block_out_channels[-1]`. The two walks of that loop stand for
# any number of iterations: the list they fill is no exact list of blocks.
APPENDED = """\
import torch.nn as nn


class Embedding(nn.Module):
    def __init__(self, block_out_channels=(16, 32, 96, 256)):
        super().__init__()
        self.conv_in = nn.Conv2d(3, block_out_channels[0], 3, padding=1)
        self.blocks = nn.ModuleList([])
        for i in range(len(block_out_channels) - 1):
            self.blocks.append(nn.Conv2d(block_out_channels[i], block_out_channels[i + 1], 3, padding=1))
        self.conv_out = nn.Conv2d(block_out_channels[-1], 4, 3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for block in self.blocks:
            x = block(x)
        return self.conv_out(x)
"""


def _run_image(source: str, name: str) -> BaseException | None:
    module = types.ModuleType("stated")
    exec(compile(source, "stated.py", "exec"), module.__dict__)
    try:
        getattr(module, name)()(torch.randn(1, 3, 8, 8))
    except RuntimeError as error:
        return error
    return None


def test_a_slice_and_a_negative_index_are_read():
    """`zip(CHANNELS[:-1], CHANNELS[1:])` sizes each conv: the shared BatchNorm2d(16) gets 32 channels."""
    assert "running_mean should contain 32" in str(_run_image(SLICED, "Net"))
    crashes = [d for d in check_source(SLICED, "stated.py", Selection(select=("ALL",))) if d.code == "LL001"]
    assert len(crashes) == 1 and "declared for 16 features but gets 32" in crashes[0].message.render()


def test_a_list_filled_by_a_loop_of_unknown_length_is_not_exact():
    """Two walks of `range(len(block_out_channels) - 1)` append two blocks, not three: the last block's
    width is unknown, so `conv_out` (256 channels, the real last width) is not said to get 96."""
    assert _run_image(APPENDED, "Embedding") is None
    codes = {d.code for d in check_source(APPENDED, "stated.py", Selection(select=("ALL",)))}
    assert not codes & {"LL001", "LL006"}
