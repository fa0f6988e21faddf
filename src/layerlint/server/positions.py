"""Positions between layerlint's model and LSP's.

layerlint counts in *characters*: a `Span` has 1-based lines and 1-based character columns, and an
`Edit` replaces the text between two character offsets. LSP counts 0-based lines and, within a
line, code units of the negotiated `positionEncoding`: UTF-16 by default (a character outside the
Basic Multilingual Plane, such as most emoji, is two units), UTF-8 bytes or UTF-32 (= characters)
when the client offers them. LSP lines end at `\\n`, `\\r\\n` or `\\r` only (not at the form feed or
the other separators `str.splitlines` knows).

This module imports nothing of LSP, so it is usable and testable without the `lsp` extra; the
counting itself is `layerlint.text`'s, the one position model.
"""

from __future__ import annotations

import bisect

from layerlint.text import LINE_BREAK, UTF8, UTF16, UTF32, SourceText, characters, units

__all__ = ["LINE_BREAK", "UTF8", "UTF16", "UTF32", "LineIndex", "characters", "units"]


class LineIndex:
    """A text's line table: character offsets <-> (0-based line, code-unit column)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = SourceText(text).starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_bounds(self, line: int) -> tuple[int, int]:
        """Character offsets of a 0-based line's start and of its end (before its line break)."""
        line = max(0, min(line, len(self.starts) - 1))
        start = self.starts[line]
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            end -= 2 if self.text.startswith("\r\n", end - 2) else 1
        else:
            end = len(self.text)
        return start, end

    def line_text(self, line: int) -> str:
        start, end = self.line_bounds(line)
        return self.text[start:end]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, max(0, offset)) - 1

    # --- LSP positions ---------------------------------------------------------------------------

    def position(self, offset: int, encoding: str = UTF16) -> tuple[int, int]:
        """(line, column in code units) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.line_of(offset)
        start, end = self.line_bounds(line)
        return line, units(self.text[start:min(offset, end)], encoding)

    def offset(self, line: int, column: int, encoding: str = UTF16) -> int:
        """Character offset of an LSP position; out-of-range positions clamp to the line or text."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.line_bounds(line)
        return start + characters(self.text[start:end], column, encoding)

    # --- layerlint spans -------------------------------------------------------------------------

    def span_offset(self, line: int, column: int) -> int:
        """Character offset of a `Span` position (1-based line, 1-based character column)."""
        if line < 1:
            return 0
        if line > len(self.starts):
            return len(self.text)
        start, end = self.line_bounds(line - 1)
        return min(start + max(column, 1) - 1, end)
