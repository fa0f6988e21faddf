"""Which lines of a notebook cell are IPython syntax rather than Python: `%magic`, `!shell`,
`files = !ls`, `obj?`, and every line of a `%%bash` cell.

IPython rewrites a line only where a Python statement could start, so a line is looked at only
outside brackets, strings and backslash continuations: `ok = (1\\n != 2)` and `%` in a docstring
stay Python (review E4), and a `?` ending a comment is not help syntax (E5). The scan is by hand
rather than with `tokenize`, because the magics themselves need not tokenize.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASSIGNED_MAGIC = re.compile(r"[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]")
_ESCAPES = ("%", "!", "?")


@dataclass
class _State:
    depth: int = 0  # open brackets
    quote: str | None = None  # the delimiter of a string that goes on to the next line
    continued: bool = False  # the previous line ended with a backslash

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued


def special_lines(lines: list[str]) -> dict[int, str]:
    """Index of each IPython line -> the indentation its Python placeholder must have."""
    if "".join(lines).lstrip().startswith("%%"):  # a cell magic: the whole cell is not Python
        return {index: "" for index in range(len(lines))}
    special: dict[int, str] = {}
    state = _State()
    magic_indent: str | None = None  # set while a magic goes on with backslashes
    for index, line in enumerate(lines):
        if magic_indent is None and state.at_statement_start() and _is_magic(line):
            magic_indent = line[: len(line) - len(line.lstrip())]
        if magic_indent is not None:
            special[index] = magic_indent
            magic_indent = magic_indent if line.endswith("\\") else None
            continue
        starts = state.at_statement_start()
        before = _State(state.depth, state.quote, state.continued)
        comment = _scan(line, state)
        if starts and line[:comment].rstrip().endswith("?") and state.at_statement_start():
            special[index] = line[: len(line) - len(line.lstrip())]  # `obj?`: help, not Python
            state = before
    return special


def _is_magic(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(_ESCAPES) or _ASSIGNED_MAGIC.match(stripped) is not None


def _scan(line: str, state: _State) -> int:
    """Carries `state` over one line of Python; returns where the line's comment starts."""
    state.continued = False
    i = 0
    while i < len(line):
        if state.quote is not None:
            i = _after_string(line, i, state)
            continue
        char = line[i]
        if char == "#":
            return i
        if char in "'\"":
            state.quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else char
            i += len(state.quote)
            continue
        if char in "([{":
            state.depth += 1
        elif char in ")]}":
            state.depth = max(0, state.depth - 1)
        elif char == "\\" and i == len(line) - 1:
            state.continued = True
        i += 1
    return len(line)


def _after_string(line: str, i: int, state: _State) -> int:
    """Past the end of the open string, or the end of the line when it goes on."""
    quote = state.quote or ""
    while i < len(line):
        if line[i] == "\\":
            if i == len(line) - 1:  # a backslash-newline: the string goes on
                return len(line)
            i += 2
        elif line.startswith(quote, i):
            state.quote = None
            return i + len(quote)
        else:
            i += 1
    if len(quote) == 1:  # unterminated: Python reports it; the next line starts afresh
        state.quote = None
    return len(line)
