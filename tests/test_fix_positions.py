"""`Source.parses_with` re-parses only the top-level statements a fix touches (a file with hundreds of
findings was parsed once per finding: 800 findings took 8 minutes to build their fixes). It must
give the answer a parse of the whole edited text gives."""

from __future__ import annotations

import itertools

import pytest

from layerlint.diagnostics import Edit
from layerlint.fix.positions import apply_edits, parse, parses

TEXT = '''\
import torch.nn as nn

WIDTH = 8


@decorate(
    "arg")
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(WIDTH)

    def forward(self, x):
        return self.bn(self.bn(x))
# a comment between statements

def helper(x): return x; y = 1
'''


def offsets(needle: str, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(needle, after)
    return start, start + len(needle)


def edits_to_try() -> list[list[Edit]]:
    bn_start, bn_end = offsets("self.bn(x)")
    init_end = TEXT.index("\n", TEXT.index("nn.BatchNorm2d")) + 1
    class_end = TEXT.index("# a comment")
    helper = offsets("return x")
    decorator = offsets('"arg")')
    singles = [
        Edit(bn_start, bn_start + len("self.bn"), "self.bn_2"),  # a callee renamed
        Edit(init_end, init_end, "        self.bn_2 = nn.BatchNorm2d(WIDTH)\n"),  # a line inserted
        Edit(init_end, init_end, "        self.bn_2 = nn.BatchNorm2d(WIDTH\n"),  # ... that breaks
        Edit(class_end, class_end, "        self.after = 1\n"),  # after a class's last line
        Edit(class_end, class_end, "    return (\n"),  # an open bracket swallowing what follows
        Edit(*helper, "return (x"),
        Edit(*decorator, '"arg"'),  # the decorator's bracket left open
        Edit(0, 0, "import os\n"),  # before everything
        Edit(len(TEXT), len(TEXT), "def tail(:\n"),  # after everything, broken
        Edit(bn_start, bn_end, "self.bn(x"),
    ]
    pairs = [[a, b] for a, b in itertools.combinations(singles, 2)
             if not (a.start <= b.end and b.start <= a.end)]
    return [[edit] for edit in singles] + pairs


@pytest.mark.parametrize("edits", edits_to_try(), ids=lambda e: repr([x.replacement for x in e])[:60])
def test_parses_with_agrees_with_a_whole_parse(edits):
    source = parse(TEXT)
    assert source is not None
    assert source.parses_with(edits) == parses(apply_edits(TEXT, edits))


def test_some_edits_break_the_text():
    """The cases above are not all harmless: the comparison would pass on a constant answer otherwise."""
    answers = {parses(apply_edits(TEXT, edits)) for edits in edits_to_try()}
    assert answers == {True, False}


def test_x4_an_inserted_line_takes_the_line_break_of_its_neighbour():
    """Robustness review X4: in a file mixing LF and CRLF, a line a fix inserts ended in CRLF among LF
    lines (the file's first break kind won). It now ends like the line it follows."""
    from layerlint.fix.engine import apply_fixes
    from layerlint.static.checker import Selection, check_source

    lines = ["import torch.nn as nn\r\n", "\n", "class Block(nn.Module):\n", "    def __init__(self):\n",
             "        super().__init__()\n", "        self.bn = nn.BatchNorm2d(8)\n", "\n",
             "    def forward(self, x):\n", "        return self.bn(self.bn(x))\n"]
    text = "".join(lines)
    found = check_source(text, "m.py", Selection(select=("LL002",)))
    assert [d.code for d in found] == ["LL002"]
    fixed = apply_fixes(text, found, unsafe=True).text
    inserted = [line for line in fixed.splitlines(keepends=True) if "bn_2 =" in line]
    assert inserted == ["        self.bn_2 = nn.BatchNorm2d(8)\n"]
    assert fixed.count("\r\n") == 1  # the one CRLF line is kept as it was
