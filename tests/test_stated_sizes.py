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
