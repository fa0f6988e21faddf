"""The fix builders' view of a module: its text, its own `ast` tree, parent links.

`ast` gives 1-based lines and 0-based columns counted in UTF-8 *bytes*; a `Fix` is made of `Edit`s
between *character* offsets of the text (end exclusive); `layerlint.text.SourceText` converts one
into the other. `Source` re-parses the text once, finds the
node of its own tree that a fact's node stands for (checking that the text at that place really is
that node, so a node of another file is never edited by position), and answers the few structural
questions the fix builders ask: the statement around a node, its indentation, its parents.
"""

from __future__ import annotations

import ast
import functools
from typing import Iterator, Sequence

from layerlint.diagnostics import Edit
from layerlint.static.source import parse as parse_quietly
from layerlint.text import SourceText


class Source:
    """A module's text with its own `ast` tree, line table and parent links."""

    def __init__(self, text: str, tree: ast.Module):
        self.text = text
        self.tree = tree
        self.positions = SourceText(text)
        self.line_starts = self.positions.starts
        self.newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
        self.parents: dict[int, ast.AST] = {}
        self.by_position: dict[tuple, ast.AST] = {}
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[id(child)] = parent
            if hasattr(parent, "lineno"):
                self.by_position.setdefault(_key(parent), parent)

    # --- positions -------------------------------------------------------------------------------

    def offset(self, line: int, byte_column: int) -> int:
        """Character offset of an `ast` (line, UTF-8 byte column) position."""
        return self.positions.offset_of_ast(line, byte_column)

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)

    def range(self, node: ast.AST) -> tuple[int, int]:
        return self.start(node), self.end(node)

    def segment(self, node: ast.AST) -> str:
        start, end = self.range(node)
        return self.text[start:end]

    def line_start(self, line: int) -> int:
        return self.line_starts[line - 1]

    def line_end(self, line: int) -> int:
        """Offset just after the line's line break (or the end of the text)."""
        return self.line_starts[line] if line < len(self.line_starts) else len(self.text)

    def newline_of(self, line: int) -> str:
        """The line break ending `line`, so that a line inserted next to it matches its neighbours in a
        file mixing LF and CRLF; the file's usual one for a last line without a break."""
        text = self.line_text(line)
        for ending in ("\r\n", "\n", "\r"):
            if text.endswith(ending):
                return ending
        return self.newline

    def line_text(self, line: int) -> str:
        return self.text[self.line_start(line):self.line_end(line)]

    def indentation(self, node: ast.AST) -> str | None:
        """The whitespace before `node` on its first line, or None when something else precedes it."""
        before = self.text[self.line_start(node.lineno):self.start(node)]
        return before if before.strip(" \t") == "" else None

    # --- nodes -----------------------------------------------------------------------------------

    def own(self, node: ast.AST | None) -> ast.AST | None:
        """This tree's node at the position of `node` (from another parse of the same text), or None
        when the text there is not that node (a node of another file, a stale tree)."""
        if node is None or not hasattr(node, "lineno") or getattr(node, "end_lineno", None) is None:
            return None
        mine = self.by_position.get(_key(node))
        if mine is None or ast.dump(mine) != ast.dump(node):
            return None
        return mine

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    def statement(self, node: ast.AST) -> ast.stmt | None:
        """The innermost statement containing `node` (itself when it is one)."""
        if isinstance(node, ast.stmt):
            return node
        return next((a for a in self.ancestors(node) if isinstance(a, ast.stmt)), None)

    def alone_on_its_lines(self, statement: ast.stmt) -> bool:
        """True when nothing but whitespace and a comment shares the statement's lines."""
        if self.indentation(statement) is None:
            return False
        rest = self.text[self.end(statement):self.line_end(statement.end_lineno)]
        rest = rest.strip(" \t\r\n")
        return rest == "" or rest.startswith("#")

    def after_statement(self, statement: ast.stmt) -> int:
        """Where a new line may be inserted just after the statement's last line."""
        return self.line_end(statement.end_lineno)

    # --- checking a fix --------------------------------------------------------------------------

    @functools.cached_property
    def identifiers(self) -> frozenset[str]:
        """Every name the module uses for anything: a fix's new names must collide with none."""
        return frozenset(_identifiers(self.tree))

    @functools.cached_property
    def _top_level_spans(self) -> list[tuple[int, int]]:
        """Each top-level statement's whole lines (decorators included), as character offsets."""
        spans = []
        for statement in self.tree.body:
            first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
            spans.append((self.line_start(first), self.line_end(statement.end_lineno or statement.lineno)))
        return spans

    def parses_with(self, edits: Sequence[Edit]) -> bool:
        """Whether the text still parses with `edits` applied, parsing only the top-level statements
        they touch (a statement starting in column 0 parses on its own); an edit outside every
        statement (between them, in a comment) parses the whole text."""
        touched = [span for span in self._top_level_spans
                   if any(span[0] <= edit.end and edit.start <= span[1] for edit in edits)]
        if not touched or any(not any(s <= edit.start and edit.end <= e for s, e in touched) for edit in edits):
            return parses(apply_edits(self.text, edits))
        start, end = min(s for s, _ in touched), max(e for _, e in touched)
        shifted = [Edit(edit.start - start, edit.end - start, edit.replacement) for edit in edits]
        return parses(apply_edits(self.text[start:end], shifted))


def _identifiers(tree: ast.AST) -> set[str]:
    """Every name a tree uses: variables, attributes, definitions, parameters, imports, keywords, and
    strings that could be a name (`getattr(self, "bn_2")`)."""
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            used.add(node.name)
        elif isinstance(node, ast.arg):
            used.add(node.arg)
        elif isinstance(node, ast.alias):
            used.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.keyword) and node.arg:
            used.add(node.arg)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            used.update(node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            used.add(node.value)
    return used


def _key(node: ast.AST) -> tuple:
    return (type(node).__name__, node.lineno, node.col_offset,
            getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None))


@functools.lru_cache(maxsize=8)
def parse(text: str) -> Source | None:
    """The `Source` of a text (cached: the rules of one file ask for it once per finding)."""
    try:
        return Source(text, parse_quietly(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def parses(text: str) -> bool:
    try:
        parse_quietly(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def apply_edits(text: str, edits) -> str:
    """The text with non-overlapping edits applied (they are applied from the end backwards)."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.replacement + text[edit.end:]
    return text


def overlapping(first, second) -> bool:
    """Two edits touch or overlap (an insertion at either end of a replacement counts: the order
    of the two results would be ambiguous)."""
    return first.start <= second.end and second.start <= first.end
