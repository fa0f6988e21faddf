"""A finding's identity that survives line moves: shared by SARIF's `partialFingerprints` and the
baseline file, so that an alert and a baseline entry identify a finding the same way.

The hash covers the code, the file (spelled by the caller: SARIF uses the URI relative to the
checkout, the baseline the path relative to its own folder) and the whitespace-normalised *text* of
the reported line and of each related line, never line numbers. Adding or removing lines elsewhere
keeps the identity; editing an offending line makes a new finding. Identical findings on identical
lines share one hash: callers tell them apart by order (SARIF's `:N`) or count them (the baseline).
"""

from __future__ import annotations

import hashlib
from typing import Callable, Optional

from layerlint.diagnostics import Diagnostic, Span

#: `read_line(path, number)`: the text of a 1-based line of a file, or None if it cannot be read.
LineReader = Callable[[str, int], Optional[str]]


def normalized(text: str) -> str:
    """Whitespace-insensitive: re-indenting or re-spacing a line keeps its findings' identity."""
    return " ".join(text.split())


def span_text(span: Span, read_line: LineReader) -> str | None:
    """The normalised text of the lines a span covers, or None (unreadable file, notebook cell)."""
    if span.cell is not None:  # lines count within a notebook cell, not within the file
        return None
    last = span.end_line if span.end_line is not None and span.end_line >= span.line else span.line
    lines = [read_line(span.path, number) for number in range(span.line, last + 1)]
    if any(line is None for line in lines):
        return None
    return normalized(" ".join(line for line in lines if line is not None))


def finding_hash(diagnostic: Diagnostic, path: str, read_line: LineReader) -> str:
    """32 hex digits identifying a finding, independent of where the file's lines now sit. Where a
    line cannot be read, the cell number or the message template stands in for its text."""
    parts = [diagnostic.code, path]
    for span in (diagnostic.span, *(related.span for related in diagnostic.related)):
        text = span_text(span, read_line)
        if text is None:
            text = f"cell {span.cell}" if span.cell is not None else diagnostic.message.template
        parts.append(text)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]
