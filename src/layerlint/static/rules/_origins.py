"""Where a layer was built, for a finding's related locations: in the checked file, and in the other
module whose factory or block built it (issue 14: a finding that spans two files points at both).

The analyzer keeps, for each instance, the file whose code ran its constructor and the call there
(`Instance.origin`); `Instance.node` is the call in the checked file that led there. A span in
another file counts columns as `ast` does (UTF-8 bytes): that file's text is not at hand, and a
column on an ASCII line, the usual case, is the same either way.
"""

from __future__ import annotations

import ast
from pathlib import Path

from layerlint.diagnostics import Related, Span, Text
from layerlint.i18n import N_
from layerlint.static.facts import Instance
from layerlint.static.rules import messages as m
from layerlint.static.rules.base import RuleContext

BUILT_THERE = N_("`{label}` is built here, by code of another module")


def created_here(context: RuleContext, instance: Instance, args: dict, note: str = m.CREATED) -> list[Related]:
    """The instance's construction: the checked file's line, and the other module's when another
    module's code built it."""
    other = foreign_origin(context, instance)
    if other is None:
        return [Related(context.span(instance.node), Text(note, args))]
    path, node = other
    related = [Related(_foreign_span(path, node), Text(BUILT_THERE, args))]
    if instance.node is not node:  # the call in this file that led there
        related.insert(0, Related(context.span(instance.node), Text(note, args)))
    return related


def foreign_origin(context: RuleContext, instance: Instance) -> tuple[str, ast.AST] | None:
    """(file, node) when the instance was built by code of a file other than the checked one."""
    if instance.origin is None:
        return None
    path, node = instance.origin
    return None if _same_file(path, context.path) else (path, node)


def _same_file(first: str, second: str) -> bool:
    if first == second:
        return True
    try:
        return Path(first).resolve() == Path(second).resolve()
    except (OSError, ValueError, RuntimeError):
        return False


def _foreign_span(path: str, node: ast.AST) -> Span:
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    return Span(path, line, getattr(node, "col_offset", 0) + 1, end_line, (getattr(node, "end_col_offset", None) or 0) + 1)
