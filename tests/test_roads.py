"""Issue 14's roads: the same layer instance reaching its call sites by another road than the
examples' `self.bn` called twice. Each case is a program that must be reported (the code on the line
its `# expect:` names) and its negative twin (one edit away, no reuse) that must not."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from layerlint.static.checker import Project, Selection, check_source
from layerlint.static.rules.base import expected_codes


def findings_by_line(source: str, path: str = "example.py", project: Project | None = None) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for diagnostic in check_source(source, path, Selection(select=("ALL",)), project=project):
        found.setdefault(diagnostic.span.line, []).append(diagnostic.code)
    return {line: sorted(codes) for line, codes in found.items()}


def unmarked(source: str) -> str:
    return re.sub(r"\s*# expect: .*", "", source)


def case(name: str, source: str, fix: tuple[str, str]):
    source = textwrap.dedent(source).lstrip()
    assert fix[0] in source, name
    return pytest.param(source, unmarked(source.replace(*fix)), id=name)


CASES = [
    case("class_alias_times_n", """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                conv_cls = nn.Linear
                self.blocks = nn.ModuleList([conv_cls(8, 8)] * 2)  # expect: LL004

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)
                return x
        """, ("[conv_cls(8, 8)] * 2", "[conv_cls(8, 8) for _ in range(2)]")),
    case("functools_partial", """
        import functools
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                make = functools.partial(nn.LayerNorm, eps=1e-5)
                self.norm = make(8)
                self.other = make(8)

            def forward(self, x):
                x = self.norm(x)
                return self.norm(x)  # expect: LL002
        """, ("return self.norm(x)", "return self.other(x)")),
    case("itertools_repeat", """
        import itertools
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleList(itertools.repeat(nn.Linear(3, 8), 2))  # expect: LL004

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)  # expect: LL001
                return x
        """, ("itertools.repeat(nn.Linear(3, 8), 2)", "[nn.Linear(3, 8)]")),
    case("setattr_fstring_one_instance", """
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                shared = layers.BatchNormalization()
                for i in range(2):
                    setattr(self, f"block{i}", shared)

            def call(self, x):
                x = self.block0(x)
                return self.block1(x)  # expect: LL002
        """, ("setattr(self, f\"block{i}\", shared)", "setattr(self, f\"block{i}\", layers.BatchNormalization())")),
    case("getattr_fstring", """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.bn0 = nn.BatchNorm1d(8)
                self.bn1 = nn.BatchNorm1d(8)

            def forward(self, x):
                first, second = 0, 0
                x = getattr(self, f"bn{first}")(x)
                return getattr(self, f"bn{second}")(x)  # expect: LL002
        """, ("first, second = 0, 0", "first, second = 0, 1")),
]


@pytest.mark.parametrize("source, negative", CASES)
def test_road_is_followed(source, negative):
    assert findings_by_line(source) == expected_codes(source)
    assert findings_by_line(negative) == {}
