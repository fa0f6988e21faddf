"""The checker keeps one finding per (code, place, instance): two instances that meet at one call are
two findings, not one hiding the other."""

from layerlint.static.checker import Selection, check_source

TWO_INSTANCES_ONE_CALL = """\
import torch.nn as nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(8)
        self.bn2 = nn.BatchNorm2d(8)

    def forward(self, x):
        x = self.bn1(x)
        x = self.bn2(x)
        for bn in (self.bn1, self.bn2):
            x = bn(x)
        return x
"""


def test_two_instances_reported_at_one_call_are_both_kept():
    found = check_source(TWO_INSTANCES_ONE_CALL, "m.py", Selection())
    assert sorted((d.code, d.span.line, d.layer) for d in found) == [
        ("LL002", 14, "self.bn1"), ("LL002", 14, "self.bn2")]
