"""Another module of the project, parsed only as far as a check needs it.

A parent class or a factory read from another module (`Project`) needs that module's imports, its
top-level assignments and the one definition asked for, rarely the rest: a 4,000-line modeling file
is read for one attention class, `torch/_inductor/ir.py` only to learn that a base is no layer. The
outline splits the text at its top-level `def`/`class` statements (with their decorators) using the
lines alone; the rest (the skeleton: imports, assignments, `if`/`try` blocks) is parsed at once, and
each definition when it is first named. Every line keeps its number, so positions are those of a
full parse. Anything the line test cannot vouch for falls back to parsing the whole text: a
skeleton that does not parse, or a definition whose own text does not.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import Callable

from layerlint.static.source import COMMENTS_AND_STRINGS, parse

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # the parser's lines, ends kept
_DEFINITION = re.compile(r"(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)|class[ \t]+([A-Za-z_]\w*)")
_NOT_A_START = frozenset(" \t\f\r\n#)]}\\")  # indented, blank, a comment, or a bracket's continuation


class Outline:
    """The module's top-level definitions by name, each parsed on demand (`take`)."""

    def __init__(self, chunks: list[tuple[int, str, str]], whole_text: Callable[[], str]):
        # Only the text of the definitions not parsed yet is kept: the rest of the module's text is
        # read again (`whole_text`) in the rare case a definition does not parse on its own.
        self._chunks: list[tuple[int, str | None, str]] = list(chunks)  # (first line, 0-based; text; name)
        self._whole_text = whole_text
        self._by_name: dict[str, list[int]] = {}
        for index, (_, _, name) in enumerate(chunks):
            self._by_name.setdefault(name, []).append(index)
        self.pending = set(self._by_name)  # names with a definition not parsed yet: asked at every name

    def take(self, name: str) -> list[ast.stmt]:
        """The definitions of `name`, parsed at their own lines (none when already taken). When one
        does not parse on its own (the line test was fooled), the whole text is parsed and every
        definition not yet taken comes from it, so that nothing is defined twice or lost."""
        if name not in self.pending:
            return []
        self.pending.discard(name)
        found: list[ast.stmt] = []
        try:
            for index in self._by_name[name]:
                first, text, _ = self._chunks[index]
                found.extend(parse("\n" * first + (text or "")).body)
                self._chunks[index] = (first, None, name)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return self._take_rest({name, *self.pending})
        return found

    def _take_rest(self, names: set[str]) -> list[ast.stmt]:
        """The definitions of `names` from a parse of the whole text, found by name: where the line
        test was fooled, a definition's first line may not be the one it recorded."""
        self.pending.clear()
        try:
            tree = parse(self._whole_text())
        except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
            return []
        return [s for s in tree.body if isinstance(s, _DEFINITIONS) and s.name in names]


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def outline(text: str, whole_text: Callable[[], str] | None = None) -> tuple[ast.Module, Outline] | None:
    """The skeleton's tree and the outline of the definitions; None when the text should be parsed
    whole (no definition worth deferring, or a skeleton that does not parse). `whole_text` gives the
    text again if a definition does not parse on its own (the file's bytes read again); without it,
    the outline keeps the text."""
    lines = _LINE.findall(text)
    offsets = _offsets(lines)
    inside = _lines_inside_strings(text, offsets)
    # A line after a backslash continuation continues its statement, whatever its column (`== \` then a
    # string at column 0): a trailing backslash in a comment continues nothing, so lines with `#` are not taken.
    continued = {i + 1 for i, line in enumerate(lines) if line.rstrip("\r\n").endswith("\\") and "#" not in line}
    starts = [i for i, line in enumerate(lines)
              if line[:1] and line[0] not in _NOT_A_START and i not in inside and i not in continued]
    chunks = _definitions(lines, starts)
    if not chunks:
        return None
    skeleton = list(lines)
    for first, end, _ in chunks:
        skeleton[first:end] = ["\n"] * (end - first)
    try:
        tree = parse("".join(skeleton))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return tree, Outline([(first, text[offsets[first]:offsets[end]], name) for first, end, name in chunks],
                         whole_text or (lambda: text))


def _offsets(lines: list[str]) -> list[int]:
    """Where each line starts in the text, and the text's length last."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


def _lines_inside_strings(text: str, offsets: list[int]) -> set[int]:
    """Lines that begin inside a string spanning lines: they start no statement."""
    if '"""' not in text and "'''" not in text:
        return set()
    inside: set[int] = set()
    for match in COMMENTS_AND_STRINGS.finditer(text):
        start, end = match.span()
        if text[start] == "#" or "\n" not in match.group() and "\r" not in match.group():
            continue
        first, last = bisect.bisect_right(offsets, start) - 1, bisect.bisect_right(offsets, end - 1) - 1
        inside.update(range(first + 1, last + 1))
    return inside


def _definitions(lines: list[str], starts: list[int]) -> list[tuple[int, int, str]]:
    """Each top-level definition as (first line, end line, name): from its first decorator to the
    next top-level statement."""
    chunks = []
    bounds = [*starts, len(lines)]
    index = 0
    while index < len(starts):
        head = index
        while lines[starts[head]].startswith("@") and head + 1 < len(starts):
            head += 1
        match = _DEFINITION.match(lines[starts[head]])
        if match and (head == index or lines[starts[index]].startswith("@")):
            chunks.append((starts[index], bounds[head + 1], match.group(1) or match.group(2)))
            index = head + 1
        else:
            index += 1
    return chunks
