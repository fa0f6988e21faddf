"""Name tests on source text read code, not prose: a function is walked for the layers its code names,
not for the `nn.Linear(20, 30)` of its docstring's example or a comment."""

from __future__ import annotations

import ast
import textwrap

from layerlint.static.analyzer import Analyzer
from layerlint.static.source import without_comments_and_docstrings

MODULE = textwrap.dedent('''\
    import torch
    import torch.nn as nn


    def documented(x):
        """Example:

        >>> m = nn.Linear(20, 30)
        """
        return torch.relu(x)  # not a nn.ReLU either


    def builds(x):
        return nn.Linear(20, 30)(x)


    def by_name(x):
        return getattr(nn, "Linear")(20, 30)(x)
    ''')


def test_comments_and_docstrings_are_blanked_and_one_line_strings_kept():
    code = 'def f():\n    """Use nn.Linear(3)."""  # Dense\n    return getattr(nn, "Linear")  # LayerNorm\n'
    kept = without_comments_and_docstrings(code)
    assert "Dense" not in kept and "LayerNorm" not in kept and "nn.Linear(3)" not in kept
    assert 'getattr(nn, "Linear")' in kept


def test_a_function_naming_a_layer_only_in_its_docstring_is_not_walked():
    analyzer = Analyzer(ast.parse(MODULE), "m.py", "m", None, MODULE)
    analyzer.collect()
    chosen = {f.name for f in analyzer._relevant_functions()}
    assert chosen == {"builds", "by_name"}
