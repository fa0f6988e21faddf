"""Whether building fixes grows linearly with the findings of one file, as ratios measured in one run.

A generated module of N small blocks, each calling one BatchNorm twice (one LL002 each, with an
unsafe fix), is checked in this process with fixes built (what `--diff`, `--fix` and the editor's quick
fixes do) and without. Printed per N: seconds with and without fixes, and the fix cost per finding.
The last line is the cost per finding at the largest N divided by the cost at the smallest: about 1
when fix building is linear, about N_max/N_min when it is quadratic (before the change that parses
only the statements a fix touches: 800 findings took 478 s, 200 took 29 s). Goal: <= 2.

    python bench/fix_scaling.py [--sizes 50,400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

from layerlint.static.checker import check_source
from layerlint.static.selection import Selection

BLOCK = """
class Block{i}(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x):
        return self.bn(self.bn(self.conv(x)))
"""


def module(blocks: int) -> str:
    return "import torch.nn as nn\n" + "".join(BLOCK.format(i=i) for i in range(blocks))


def best_time(text: str, fixes: bool, repeat: int) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = len(check_source(text, "generated.py", Selection(), None, fixes))
        best = min(best, time.perf_counter() - start)
    return best, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,400", help="block counts, comma-separated (default 50,400)")
    parser.add_argument("--repeat", type=int, default=3, help="best of K runs (default 3)")
    options = parser.parse_args()
    per_finding = []
    for blocks in (int(n) for n in options.sizes.split(",")):
        text = module(blocks)
        plain, _ = best_time(text, False, options.repeat)
        with_fixes, found = best_time(text, True, options.repeat)
        cost = (with_fixes - plain) / max(found, 1)
        per_finding.append(cost)
        print(f"{blocks:5d} blocks  {found:5d} findings  check {plain:7.2f} s  with fixes {with_fixes:7.2f} s"
              f"  fix cost {cost * 1000:7.2f} ms/finding")
    print(f"fix cost per finding, largest / smallest: {per_finding[-1] / per_finding[0]:.2f}x (goal <= 2)")


if __name__ == "__main__":
    main()
