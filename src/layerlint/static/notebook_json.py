"""Rewriting the `source` of some notebook cells in the file's own bytes.

Everything else stays byte for byte: the BOM, CRLF line endings, indentation, key order, escapes,
number spellings, duplicate keys, the outputs. Re-serialising the whole document with `json.dumps`
would change all of these (review D6), so the new values are spliced in where the old ones were.
"""

from __future__ import annotations

import codecs
import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # public, not in typeshed

_SPACE = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


class LayoutError(ValueError):
    """The bytes are not the notebook the sources were computed from."""


def replace_sources(original: bytes, sources: dict[int, str | list[str]]) -> bytes:
    """`original` with the `source` of cell N (1-based) replaced by `sources[N]`."""
    bom = original.startswith(codecs.BOM_UTF8)
    text = original.decode("utf-8-sig")
    spans = source_spans(text)
    pieces, done = [], 0
    for number in sorted(sources):
        if number not in spans:
            raise LayoutError(f"cell {number} has no source to replace")
        start, end = spans[number]
        pieces += [text[done:start], _serialise(sources[number], text, start, end)]
        done = end
    pieces.append(text[done:])
    return (codecs.BOM_UTF8 if bom else b"") + "".join(pieces).encode("utf-8")


def source_spans(text: str) -> dict[int, tuple[int, int]]:
    """Cell number -> where the text of its `source` value starts and ends. As `json.loads`
    does, the last of duplicate keys counts."""
    try:
        cells = _members(text, _skip(text, 0)).get("cells")
        if cells is None or text[cells[0]] != "[":
            raise LayoutError("no list of cells")
        spans = {}
        for number, (start, _) in enumerate(_elements(text, cells[0]), start=1):
            if text[start] == "{" and (source := _members(text, start).get("source")):
                spans[number] = source
        return spans
    except (IndexError, ValueError) as error:
        raise LayoutError(f"not the notebook that was read: {error}") from None


def _skip(text: str, i: int) -> int:
    return _SPACE.match(text, i).end()  # type: ignore[union-attr]


def _value_end(text: str, i: int) -> int:
    return _DECODER.raw_decode(text, i)[1]


def _members(text: str, i: int) -> dict[str, tuple[int, int]]:
    """The members of the object starting at `i`: key -> span of its value."""
    members: dict[str, tuple[int, int]] = {}
    i = _skip(text, i + 1)
    while text[i] != "}":
        key, i = scanstring(text, i + 1)
        i = _skip(text, _skip(text, i) + 1)  # past the colon
        end = _value_end(text, i)
        members[key] = (i, end)
        i = _skip(text, end)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return members


def _elements(text: str, i: int) -> list[tuple[int, int]]:
    spans = []
    i = _skip(text, i + 1)
    while text[i] != "]":
        end = _value_end(text, i)
        spans.append((i, end))
        i = _skip(text, end)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return spans


def _serialise(value: str | list[str], text: str, start: int, end: int) -> str:
    """`value` as JSON laid out like the value it replaces (and escaped like the file)."""
    ascii_only = text.isascii()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=ascii_only)
    items = [json.dumps(item, ensure_ascii=ascii_only) for item in value]
    if not items:
        return "[]"
    old = text[start:end]
    newline = "\r\n" if "\r\n" in text else "\n"
    if "\n" in old:  # Jupyter's layout: one item a line
        item_indent = re.match(r"\[[ \t]*\r?\n([ \t]*)", old)
        close_indent = re.search(r"\n([ \t]*)\]$", old)
        if item_indent and close_indent:
            return _one_a_line(items, newline, item_indent.group(1), close_indent.group(1))
    if old == "[]" and "\n" in text:  # an empty cell gets its first lines
        line_indent = re.search(r"([ \t]*)[^\n]*$", text[:start]).group(1)  # type: ignore[union-attr]
        return _one_a_line(items, newline, line_indent + _indent_unit(text), line_indent)
    separator = "," if re.search(r'",\S', old) or "\n" not in text else ", "
    return "[" + separator.join(items) + "]"


def _one_a_line(items: list[str], newline: str, item_indent: str, close_indent: str) -> str:
    between = "," + newline + item_indent
    return "[" + newline + item_indent + between.join(items) + newline + close_indent + "]"


def _indent_unit(text: str) -> str:
    match = re.search(r"\n([ \t]+)\S", text)
    return match.group(1) if match else " "
