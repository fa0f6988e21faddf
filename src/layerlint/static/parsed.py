"""The tree of the text being checked, for the rules that need parents or positions the facts do
not hold (`rules/_roles.py`): they used to parse the file a second time, a tenth of a cold check on
large trees. One text at a time, the one `checker.check_source` parsed last; the tree is never
changed by the analysis, so handing it on is safe."""

from __future__ import annotations

import ast

from layerlint.static.source import parse

_last: tuple[str, ast.Module] | None = None


def remember(text: str, tree: ast.Module) -> None:
    global _last
    _last = (text, tree)


def forget() -> None:
    global _last
    _last = None


def tree_of(text: str) -> ast.Module:
    """The tree of `text`: the one parsed for the check when it is this text, else a fresh parse
    (quiet and guarded as the checker's own; it raises as `ast.parse` does)."""
    if _last is not None and (_last[0] is text or _last[0] == text):
        return _last[1]
    return parse(text)
