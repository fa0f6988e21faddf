"""Flattening a tensor before a `Linear`, spelled as a tensor method or a `torch` function.

`x.view(x.size(0), -1)`, `x.reshape(x.shape[0], -1)`, `x.flatten(1)`, `torch.flatten(x, 1)` keep the
batch axis and fold the rest into one: the result is a multiple of the channel count
(`shapes.flattened`). `x.view(-1, 1568)` states the size outright. Anything else is unknown.
"""

from __future__ import annotations

import ast

from layerlint.static.shapes import Shape, flattened, literal

_RESHAPES = ("view", "reshape")


def flatten_method(shape: Shape | None, method: str, node: ast.Call) -> Shape | None:
    """The shape `tensor.<method>(...)` gives, for the flattening methods, else None."""
    if method in _RESHAPES:
        return _reshaped(shape, node.args)
    if method == "flatten":
        return _flatten_range(shape, node.args, node.keywords)
    return None


def flatten_function(shape: Shape | None, node: ast.Call) -> Shape | None:
    """`torch.flatten(x, 1)`: the same as `x.flatten(1)`."""
    return _flatten_range(shape, node.args[1:], node.keywords)


def _flatten_range(shape: Shape | None, positional: list[ast.expr], keywords: list[ast.keyword]) -> Shape | None:
    """`start_dim` and `end_dim`, written in place or by keyword (0 and -1 when not written): only
    (1, -1) keeps the batch axis and folds all the rest."""
    given = {k.arg: k.value for k in keywords}
    start_node = positional[0] if positional else given.get("start_dim")
    end_node = positional[1] if len(positional) > 1 else given.get("end_dim")
    start = literal(start_node) if start_node is not None else 0
    end = literal(end_node) if end_node is not None else -1
    if start == 1 and end == -1:
        return flattened(shape)
    return None


def _reshaped(shape: Shape | None, args: list[ast.expr]) -> Shape | None:
    """`view(batch, -1)` flattens after the batch axis; `view(-1, 1568)` states the last size."""
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = list(args[0].elts)
    if len(args) != 2 or any(isinstance(a, ast.Starred) for a in args):
        return None
    first, last = literal(args[0]), literal(args[1])
    if last == -1 and not isinstance(first, int):  # `x.size(0)`, `x.shape[0]`, `batch`: the batch axis
        return flattened(shape)
    if first == -1 and isinstance(last, int) and last > 0:
        return Shape(2).with_size(1, last)
    return None
