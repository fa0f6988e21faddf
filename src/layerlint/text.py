"""The one text-position model: lines, characters, UTF-8 bytes and UTF-16 units.

Three counting systems meet in layerlint. `ast` gives 1-based lines and 0-based columns in UTF-8
*bytes*; layerlint's `Span` and `Edit` count *characters*; LSP counts code units of the negotiated
encoding (UTF-16 unless the editor offers another). And only `\\n`, `\\r\\n` and `\\r` end a line for
Python's tokenizer and for LSP, while `str.splitlines` also splits on form feeds, U+2028 and friends:
a line table built with it puts every later position on the wrong line. Every conversion goes
through `SourceText`, so the rules agree with each other and with the parser.
"""

from __future__ import annotations

import bisect
import re

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Python's tokenizer and LSP count as the end of a line
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their endings, as Python's parser numbers them."""
    return LINE_BREAK.split(text)


def units(text: str, encoding: str) -> int:
    """The length of `text` in code units of `encoding`."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def characters(text: str, count: int, encoding: str) -> int:
    """How many characters of `text` its first `count` code units cover (a position inside a
    character rounds down to its start; past the end clamps to the end)."""
    if count <= 0:
        return 0
    if encoding == UTF32 or text.isascii():
        return min(count, len(text))
    used = 0
    for index, ch in enumerate(text):
        width = len(ch.encode("utf-8", errors="surrogatepass")) if encoding == UTF8 else 2 if ord(ch) > 0xFFFF else 1
        if used + width > count:
            return index
        used += width
    return len(text)


class SourceText:
    """A text with its line table. Lines are 1-based; columns are 0-based unless a name says so."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [match.end() for match in LINE_BREAK.finditer(text)]

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_start(self, line: int) -> int:
        return self.starts[max(1, min(line, len(self.starts))) - 1]

    def line_end(self, line: int) -> int:
        """The offset just after the line's break (or the end of the text)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def line(self, line: int) -> str:
        """The line's text without its break ("" outside the text)."""
        if not 0 < line <= len(self.starts):
            return ""
        return LINE_BREAK.sub("", self.text[self.line_start(line):self.line_end(line)], count=1)

    def char_column(self, line: int, utf8_column: int) -> int:
        """An `ast` column (UTF-8 bytes) as characters."""
        text = self.line(line)
        if text.isascii():
            return min(utf8_column, len(text))
        return characters(text, utf8_column, UTF8)

    def utf8_column(self, line: int, char_column: int) -> int:
        return units(self.line(line)[:char_column], UTF8)

    def offset(self, line: int, char_column: int) -> int:
        """The character offset of (line, character column), clamped to the line."""
        return self.line_start(line) + min(char_column, len(self.line(line)))

    def offset_of_ast(self, line: int, utf8_column: int) -> int:
        """The character offset of an `ast` (line, UTF-8 byte column) position."""
        return self.line_start(line) + self.char_column(line, utf8_column)

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 0-based character column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1]
