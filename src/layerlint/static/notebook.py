"""Jupyter notebooks: their code cells become one Python text to check (and fix), and findings are
mapped back to `notebook.ipynb:cell 3:5:9` positions.

Each cell is preceded by a marker comment line, so a fixed text can be split back into its cells;
IPython magics and shell escapes (`%timeit`, `!pip`, a `%%bash` cell) are replaced by placeholder
comments of their own and restored afterwards, so they neither break parsing nor change. A fix
changes only the `source` of code cells: outputs, metadata and other cells are kept as they were.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any

from layerlint.diagnostics import Diagnostic, Span, Text
from layerlint.static.source import UnreadableSource

CELL_MARKER = "# %% layerlint cell {number}"
_MARKER = re.compile(r"^# %% layerlint cell (\d+)$")
_MAGIC = "# layerlint magic {index}"
_MAGIC_LINE = re.compile(r"^(\s*)# layerlint magic (\d+)$")


@dataclass
class Notebook:
    document: dict[str, Any]
    text: str = ""  # the code cells as one Python text
    origin: list[tuple[int, int]] = field(default_factory=list)  # text line -> (cell number, line in cell)
    magics: list[str] = field(default_factory=list)  # original magic lines, by placeholder index
    newline_at_end: dict[int, bool] = field(default_factory=dict)


def _cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def load(data: bytes) -> Notebook:
    try:
        document = json.loads(data.decode("utf-8-sig"))
        cells = document["cells"]
        if not isinstance(cells, list):
            raise TypeError("cells is not a list")
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableSource(f"broken notebook: {error}") from None
    notebook = Notebook(document)
    lines: list[str] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _cell_source(cell)
        notebook.newline_at_end[number] = source.endswith("\n")
        lines.append(CELL_MARKER.format(number=number))
        notebook.origin.append((number, 0))
        whole_cell_magic = source.lstrip().startswith("%%")
        for index, line in enumerate(source.splitlines(), start=1):
            stripped = line.lstrip()
            if whole_cell_magic or stripped.startswith(("%", "!")) or stripped.endswith("?"):
                indent = line[: len(line) - len(stripped)]
                line = indent + _MAGIC.format(index=len(notebook.magics))
                notebook.magics.append(stripped)
            lines.append(line)
            notebook.origin.append((number, index))
    notebook.text = "\n".join(lines) + "\n"
    return notebook


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
        dataclasses.replace(r, span=_span(r.span, notebook)) for r in d.related)) for d in diagnostics]


def updated(notebook: Notebook, text: str) -> dict[str, Any]:
    """The notebook document with the code cells of `text` (a fixed joined text) put back."""
    sources: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        marker = _MARKER.match(line)
        if marker:
            current = sources.setdefault(int(marker.group(1)), [])
            continue
        magic = _MAGIC_LINE.match(line)
        if magic:
            line = magic.group(1) + notebook.magics[int(magic.group(2))]
        if current is not None:
            current.append(line)
    if current and current[-1] == "":
        current.pop()  # the joined text's final newline
    document = json.loads(json.dumps(notebook.document))  # a deep copy of plain JSON
    for number, lines in sources.items():
        source = "\n".join(lines) + ("\n" if notebook.newline_at_end.get(number) else "")
        cell = document["cells"][number - 1]
        original = cell.get("source", "")
        cell["source"] = source.splitlines(keepends=True) if isinstance(original, list) else source
    return document


def dumps(document: dict[str, Any], original: bytes) -> str:
    """JSON in the notebook's own layout: Jupyter writes one-space indentation and a final newline."""
    indent = 1
    match = re.search(rb'\n( +)"', original)
    if match:
        indent = len(match.group(1))
    return json.dumps(document, indent=indent, ensure_ascii=False) + ("\n" if original.endswith(b"\n") else "")
