"""A loop over a list of blocks that picks each block's call by its class (`if isinstance(block,
ResBlock): ... elif isinstance(block, AttnBlock): ...`, diffusers' Stable Cascade UNet): a block's class
never changes, so each block runs in one arm only, at every iteration. Repeated by an outer loop, a block
is applied in a loop, not called at three places; without one it is called once."""

from __future__ import annotations

import textwrap

from layerlint.static.checker import Selection, check_source

BLOCKS = """\
import torch.nn as nn


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Linear(c, c)

    def forward(self, x):
        return self.conv(x)


class AttnBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.proj = nn.Linear(c, c)

    def forward(self, x, clip):
        return self.proj(x) + clip


class Net(nn.Module):
    def __init__(self, repeats):
        super().__init__()
        self.repeats = repeats
        self.blocks = nn.ModuleList([ResBlock(8), AttnBlock(8)])

    def forward(self, x, clip):
{loop}
"""

CHAIN = """\
for block in self.blocks:
    if isinstance(block, ResBlock):
        x = block(x)
    elif isinstance(block, AttnBlock):
        x = block(x, clip)
    else:
        x = block(x)
return x"""


def _findings(loop: str) -> list:
    source = BLOCKS.format(loop=textwrap.indent(loop, " " * 8))
    return check_source(source, "net.py", Selection(select=("ALL",)))


def test_blocks_repeated_by_an_outer_loop_are_applied_in_a_loop():
    findings = _findings("for _ in range(self.repeats):\n" + textwrap.indent(CHAIN, "    "))
    assert sorted(d.layer for d in findings) == ["self.blocks[0]", "self.blocks[1]"]
    for finding in findings:
        assert finding.code == "LL003"
        assert "is called in a loop" in finding.message.render()
        assert not [r for r in finding.related if "also called" in r.message.render()]
    first = next(d for d in findings if d.layer == "self.blocks[0]")
    assert first.span.line == 32  # its first arm, `x = block(x)` under `isinstance(block, ResBlock)`


def test_blocks_called_once_each_are_not_shared():
    assert _findings(CHAIN) == []


def test_a_size_computed_from_a_default_is_still_a_default():
    """`range(max(1, depth))` with `depth=1`: a caller may pass another depth, as with `range(depth)`;
    the loop is not read as one iteration because the default gives one."""
    template = textwrap.dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(8, 8)

            def forward(self, x, depth=1):
                for _ in {count}:
                    x = self.proj(x)
                return x
        """)

    def codes(count: str) -> list[str]:
        return [d.code for d in check_source(template.format(count=count), "m.py", Selection(select=("ALL",)))]

    assert codes("range(depth)") == ["LL003"]
    assert codes("range(max(1, depth))") == codes("range(depth)")
    assert codes("range(int(depth * 1.0))") == codes("range(depth)")
