"""Jupyter notebooks: their code cells become one Python text to check (and fix), and findings are
mapped back to `notebook.ipynb:cell 3:5:9` positions.

Each cell is preceded by a marker comment line, so a fixed text can be split back into its cells;
IPython lines (`%timeit`, `!pip`, a `%%bash` cell, see `ipython`) are replaced by placeholder
statements of their own and restored afterwards, so they neither break parsing nor change. Markers
and placeholders carry a token drawn for each load and absent from the notebook, so a user's line
can never pass for one (review D2).

A fix rewrites only the `source` of the code cells whose text changed, in the file's own bytes
(`fixed_bytes`): outputs, metadata, other cells, the BOM and line endings are kept (D6). Cells are
split into lines only where Python and Jupyter break lines (`\\n`, `\\r\\n`, `\\r`), never at a form
feed or U+2028 (E6). Notebooks of other languages (an R kernel) are not checked (E7).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from layerlint.diagnostics import Diagnostic, Span, Text
from layerlint.static import ipython, notebook_json
from layerlint.static.source import UnreadableSource

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MARKER = "# %% layerlint cell {number} {token}"
_PLACEHOLDER = "pass  # layerlint magic {index} {token}"  # a statement: a magic may be a block's only line

LayoutError = notebook_json.LayoutError


@dataclass
class CellText:
    """A code cell as read: its lines without their endings, and those endings ("" for a last
    line without one), so lines a fix did not touch are written back exactly."""

    lines: list[str]
    endings: list[str]
    source: str | list[str]  # the JSON value, kept to write the same type back


@dataclass
class Notebook:
    document: dict[str, Any]
    text: str = ""  # the code cells as one Python text ("" for a notebook of another language)
    origin: list[tuple[int, int]] = field(default_factory=list)  # text line -> (cell number, line in cell)
    magics: list[tuple[str, str]] = field(default_factory=list)  # (placeholder indent, original line)
    cells: dict[int, CellText] = field(default_factory=dict)  # the checked code cells, by number
    token: str = ""
    python: bool = True  # False: another kernel language; nothing is checked


def load(data: bytes) -> Notebook:
    """The notebook's code cells as one text. Raises `UnreadableSource` (LL902) for what is not a
    notebook version 4, or has a cell whose source is not text."""
    document = _document(data)
    book = Notebook(document, python=_is_python(document))
    if not book.python:
        return book
    for number, cell in enumerate(document["cells"], start=1):
        source = _code_source(cell, number)
        if source is not None:
            text = "".join(source) if isinstance(source, list) else source
            book.cells[number] = CellText(*_split(text), source)
    book.token = _token(book.cells.values())
    book.text = _joined(book)
    return book


def _document(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise UnreadableSource(f"broken notebook: {error}") from None
    if not isinstance(document, dict):
        raise UnreadableSource("broken notebook: not a JSON object")
    version = document.get("nbformat")
    if "worksheets" in document or (isinstance(version, int) and version < 4):  # review X6
        version = version if isinstance(version, int) and version < 4 else 3
        raise UnreadableSource(f"nbformat {version} is not supported; opening and saving the notebook "
                               "in Jupyter converts it to nbformat 4")
    if not isinstance(document.get("cells"), list):
        raise UnreadableSource('broken notebook: it has no list of "cells"')
    return document


def _is_python(document: dict[str, Any]) -> bool:
    """As ruff does, a notebook whose kernel names another language is left alone."""
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for section, key in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(section, {}).get(key) if isinstance(metadata.get(section), dict) else None
        if isinstance(value, str) and value.strip() and "python" not in value.lower():
            return False
    return True


def _code_source(cell: Any, number: int) -> str | list[str] | None:
    """The source of a code cell, None for a cell that is not checked. A `null` or object source
    is not text we may rewrite, so it is left as it is; other non-text sources make the notebook
    unreadable (review H5)."""
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return None
    source = cell.get("source")
    if isinstance(source, str) or (isinstance(source, list) and all(isinstance(part, str) for part in source)):
        return source
    if source is None or isinstance(source, dict):
        return None
    raise UnreadableSource(f"broken notebook: the source of cell {number} is not text")


def _split(text: str) -> tuple[list[str], list[str]]:
    lines, endings, start = [], [], 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.start()])
        endings.append(match.group())
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
        endings.append("")
    return lines, endings


def _token(cells: Any) -> str:
    """A token no cell contains, so no line of the user's can look like a marker."""
    texts = [line for cell in cells for line in cell.lines]
    while True:
        token = secrets.token_hex(8)
        if not any(token in line for line in texts):
            return token


def _joined(book: Notebook) -> str:
    lines: list[str] = []
    for number, cell in book.cells.items():
        lines.append(_MARKER.format(number=number, token=book.token))
        book.origin.append((number, 0))
        special = ipython.special_lines(cell.lines)
        for index, line in enumerate(cell.lines):
            if index in special:
                indent = special[index]
                line = indent + _PLACEHOLDER.format(index=len(book.magics), token=book.token)
                book.magics.append((indent, cell.lines[index]))
            lines.append(line)
            book.origin.append((number, index + 1))
    return "".join(line + "\n" for line in lines)


def _span(span: Span, notebook: Notebook) -> Span:
    if not 0 < span.line <= len(notebook.origin):
        return span
    cell, line = notebook.origin[span.line - 1]
    end_line = span.end_line
    if end_line is not None and 0 < end_line <= len(notebook.origin) and notebook.origin[end_line - 1][0] == cell:
        end_line = notebook.origin[end_line - 1][1]
    else:
        end_line = None
    return dataclasses.replace(span, line=max(line, 1), end_line=end_line, cell=cell)


def _line(number: int, notebook: Notebook) -> str:
    if not 0 < number <= len(notebook.origin):
        return str(number)
    return str(notebook.origin[number - 1][1])


def _message(text: Text, notebook: Notebook) -> Text:
    """Line numbers quoted in a message (`at line 16`, `at lines 12, 13`) counted within cells too."""
    args = dict(text.args)
    if isinstance(args.get("line"), int):
        args["line"] = _line(args["line"], notebook)
    if isinstance(args.get("lines"), str):
        args["lines"] = re.sub(r"\b(\d+)(?=(:\d+)?(,|$))", lambda m: _line(int(m.group(1)), notebook), args["lines"])
    args = {k: _message(v, notebook) if isinstance(v, Text) else v for k, v in args.items()}
    return Text(text.template, args)


def remap(diagnostics: list[Diagnostic], notebook: Notebook) -> list[Diagnostic]:
    """Spans in the joined text -> spans in cells (line numbers counted within each cell)."""
    return [dataclasses.replace(d, span=_span(d.span, notebook), message=_message(d.message, notebook), related=tuple(
        dataclasses.replace(r, span=_span(r.span, notebook)) if r.span.path == d.span.path else r  # not another file's
        for r in d.related)) for d in diagnostics]


def fixed_cells(book: Notebook, fixed_text: str) -> dict[int, list[str]]:
    """The lines of each cell in `fixed_text` (a fixed joined text), magics restored, for the cells
    whose lines changed. Raises `LayoutError` if the text's markers are not the notebook's."""
    marker = re.compile(_MARKER.format(number=r"(\d+)", token=book.token))
    placeholder = re.compile(r"([ \t]*)" + _PLACEHOLDER.format(index=r"(\d+)", token=book.token))
    cells: dict[int, list[str]] = {}
    current: list[str] | None = None
    text_lines = fixed_text.split("\n")
    if text_lines[-1] == "":  # after the final newline (or an empty text)
        text_lines.pop()
    for line in text_lines:
        if found := marker.fullmatch(line):
            if int(found.group(1)) in cells:
                raise LayoutError(f"cell {found.group(1)} twice in the fixed text")
            current = cells[int(found.group(1))] = []
        elif current is None:
            raise LayoutError("text before the first cell marker")
        else:
            current.append(_restored(line, placeholder, book))
    if list(cells) != list(book.cells):
        raise LayoutError("the fixed text does not have the notebook's cells")
    return {number: lines for number, lines in cells.items() if lines != book.cells[number].lines}


def _restored(line: str, placeholder: re.Pattern[str], book: Notebook) -> str:
    found = placeholder.fullmatch(line)
    if not found or int(found.group(2)) >= len(book.magics):
        return line
    indent, original = book.magics[int(found.group(2))]
    return original if found.group(1) == indent else found.group(1) + original.lstrip()


def fixed_sources(book: Notebook, fixed_text: str) -> dict[int, str | list[str]]:
    """The new `source` value of each cell a fix changed, of the same JSON type as before."""
    sources: dict[int, str | list[str]] = {}
    for number, lines in fixed_cells(book, fixed_text).items():
        cell = book.cells[number]
        pieces = [line + ending for line, ending in zip(lines, _endings(cell, lines))]
        sources[number] = [piece for piece in pieces if piece] if isinstance(cell.source, list) else "".join(pieces)
    return sources


def _endings(cell: CellText, lines: list[str]) -> list[str]:
    """Line endings for a cell's new lines: a kept line keeps its own, a new one gets the cell's
    usual ending; the last line ends as the cell's last line did."""
    usual = Counter(ending for ending in cell.endings if ending).most_common(1)
    default = usual[0][0] if usual else "\n"
    endings = [default] * len(lines)
    matcher = difflib.SequenceMatcher(None, cell.lines, lines, autojunk=False)
    for old, new, size in matcher.get_matching_blocks():
        for offset in range(size):
            endings[new + offset] = cell.endings[old + offset] or default
    for index in range(len(lines) - 1):  # a lone CR before an empty line's LF would read as one CRLF
        if endings[index] == "\r" and lines[index + 1] == "" and endings[index + 1].startswith("\n"):
            endings[index] = "\r\n"
    if endings:
        ends_open = not cell.endings or cell.endings[-1] == ""
        endings[-1] = "" if ends_open else endings[-1]
    return endings


def fixed_bytes(book: Notebook, fixed_text: str, original: bytes) -> bytes:
    """The notebook file after a fix: `original` (the bytes `book` was loaded from) with only the
    sources of the changed cells replaced. BOM, line endings and everything else stay as they were."""
    return notebook_json.replace_sources(original, fixed_sources(book, fixed_text))


def fixed_diff(book: Notebook, fixed_text: str, path: str) -> str:
    """A unified diff of the fix, one per changed cell (`a/nb.ipynb:cell 3`), lines counted within
    the cell, as the user sees the cell: no markers, magics as written."""
    out: list[str] = []
    for number, lines in fixed_cells(book, fixed_text).items():
        out += difflib.unified_diff([line + "\n" for line in book.cells[number].lines], [line + "\n" for line in lines],
                                    fromfile=f"a/{path}:cell {number}", tofile=f"b/{path}:cell {number}")
    return "".join(out)
