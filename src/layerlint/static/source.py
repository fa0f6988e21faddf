"""Reading a file as Python source: bytes to text the way Python itself decodes it (BOM, coding
cookie), and a clear reason when that is impossible (binary, undecodable, unreadable)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass

MAX_BYTES = 50 * 1024 * 1024  # larger files are not model code; refuse rather than exhaust memory
# `ast.parse` needs about 1 KB of memory per element of a literal: a 48 MB file holding one list of 16
# million numbers took 160 s and 15 GB. Model code never holds such a literal.
MAX_LITERAL_ITEMS = 2_000_000
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Python's tokenizer ends a line with: not U+2028, \x0c, \x85...


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str
    newline: str


class UnreadableSource(Exception):
    """The file cannot be read as Python text; the message says why, for a diagnostic."""


def decode(data: bytes) -> SourceText:
    if b"\x00" in data:
        raise UnreadableSource("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "missing" in str(error.msg):
            raise UnreadableSource("not valid utf-8, and no coding declaration names another encoding") from None
        raise UnreadableSource(f"bad encoding declaration: {error.msg}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise UnreadableSource(f"not valid {encoding}: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
    return SourceText(text, encoding, newline)


def read(path: str) -> SourceText:
    return decode(read_bytes(path))


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UnreadableSource("file not found (deleted while checking?)") from None
    except IsADirectoryError:
        raise UnreadableSource("is a directory") from None
    except OSError as error:
        raise UnreadableSource(error.strerror or str(error)) from None
    if len(data) > MAX_BYTES:
        raise UnreadableSource(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not checked")
    return data


class TooBigToParse(ValueError):
    """The text would take gigabytes of memory to parse (see `too_big_to_parse`); the message says why.
    A ValueError, as `ast.parse` raises for text it cannot take, so every caller already handles it."""


def parse(text: str, path: str = "<string>") -> ast.Module:
    """`ast.parse` without the SyntaxWarnings CPython prints for odd code (`"\\d"`, `[1] [2]`): they
    belong to the checked code's own compile, not to a lint run's output. A text holding a literal
    too large to parse raises `TooBigToParse` first, for every caller (the checked file, a parent
    class's file, the editor's hover)."""
    too_big = too_big_to_parse(text)
    if too_big is not None:
        raise TooBigToParse(too_big)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


def split_lines(text: str) -> list[str]:
    """The file's lines as the parser numbers them (`ast` line N is `split_lines(text)[N - 1]`).
    `str.splitlines` also breaks at form feeds, U+2028, NEL and other separators Python's tokenizer
    keeps inside a line, which shifts every later line number."""
    return LINE_BREAK.split(text)


# What the literal guard must see through: comments and strings (which may hold brackets and commas).
_TRIPLE = ("'" * 3, '"' * 3)
_COMMENT_AND_STRINGS = (
    r"#[^\r\n]*",
    *(quotes + r"(?:\\.|[^\\])*?" + quotes for quotes in _TRIPLE),
    r"'(?:\\.|[^'\\\r\n])*'",
    r'"(?:\\.|[^"\\\r\n])*"',
)
# Comments and string literals, in the order the tokenizer meets them (a `#` inside a string is text,
# a quote inside a comment is text): the scans below and `outline.py` must see through both.
COMMENTS_AND_STRINGS = re.compile("|".join(_COMMENT_AND_STRINGS), re.DOTALL)
_LITERAL_SCAN = re.compile("|".join((*_COMMENT_AND_STRINGS, r"[\[({]", r"[\])}]", ",")), re.DOTALL)


def without_comments_and_docstrings(code: str) -> str:
    """The code with its comments and triple-quoted strings blanked (one-line strings are kept: they
    may name something, `getattr(nn, "Linear")`): what a name test on source text should read, not
    the prose of a docstring's examples."""
    return COMMENTS_AND_STRINGS.sub(_blank_prose, code)


def _blank_prose(match: re.Match[str]) -> str:
    found = match.group()
    return found if found[0] in "'\"" and not found.startswith(_TRIPLE) else " "


def too_big_to_parse(text: str) -> str | None:
    """Why parsing the text would exhaust memory, or None: the cheap guard to run before `ast.parse`.
    Counting the commas of the whole text (fast) settles almost every file; only a text with more
    commas than one literal may hold is scanned for its largest bracketed literal."""
    if text.count(",") <= MAX_LITERAL_ITEMS:
        return None
    if _largest_literal(text) <= MAX_LITERAL_ITEMS:
        return None
    return (f"a literal of more than {MAX_LITERAL_ITEMS} items; too large to parse "
            f"(it would need gigabytes of memory), not checked")


def _largest_literal(text: str) -> int:
    """Items (commas) in the largest bracketed expression, outside comments and strings; the scan
    stops as soon as one passes the limit."""
    open_counts: list[int] = []
    largest = 0
    for match in _LITERAL_SCAN.finditer(text):
        token = match.group()
        if token == ",":
            if open_counts:
                open_counts[-1] += 1
                if open_counts[-1] > MAX_LITERAL_ITEMS:
                    return open_counts[-1]
        elif token in "([{":
            open_counts.append(0)
        elif token in ")]}":
            if open_counts:
                largest = max(largest, open_counts.pop())
    return max([largest, *open_counts])
