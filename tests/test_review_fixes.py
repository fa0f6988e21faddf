"""Two false findings a review of the round's change found, each pinned by the program that showed it."""

from __future__ import annotations

import textwrap

from layerlint.static.checker import Selection, check_source


def _codes(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in check_source(textwrap.dedent(source), "m.py", Selection(select=("ALL",)))]


def test_the_bounds_of_range_are_evaluated_once():
    """`range(len(self.bn(x)))`: one call of `bn`, not two sharing its statistics."""
    assert _codes("""\
        import torch.nn as nn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.bn = nn.BatchNorm1d(8)

            def forward(self, x):
                for i in range(len(self.bn(x))):
                    pass
                return x
        """) == []


def test_a_flatten_with_an_end_dim_is_not_the_full_flatten():
    """`torch.flatten(h, 1, 2)` and `h.flatten(start_dim=1, end_dim=2)` keep the last axis: only the
    full flatten is a multiple of the channel count (LL006)."""
    assert _codes("""\
        import torch
        import torch.nn as nn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 32, 3)
                self.fc1 = nn.Linear(1050, 10)
                self.fc2 = nn.Linear(1050, 10)
                self.fc3 = nn.Linear(1050, 10)

            def forward(self, x):
                h = self.conv(x)
                a = self.fc1(torch.flatten(h, 1, 2))
                b = self.fc2(h.flatten(start_dim=1, end_dim=2))
                return a, b, self.fc3(h.flatten(start_dim=1))
        """) == [("LL006", 16)]
