"""`--statistics`: how many findings of each code, in the manner of `ruff check --statistics`.

    2  LL002  shared-normalization-state  warning
    1  LL001  reuse-shape-mismatch        error    [*]

Most frequent first, then by code. `[*]` marks a code of which at least one finding has a fix. An
empty run gives an empty string (ruff prints nothing then either).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.i18n import translate


@dataclass(frozen=True)
class CodeCount:
    code: str
    name: str
    severity: Severity
    count: int
    fixable: bool


def counts(diagnostics: Sequence[Diagnostic]) -> list[CodeCount]:
    """One row per code: count, name, the most serious severity seen, whether any has a fix."""
    by_code = Counter(d.code for d in diagnostics)
    rows = []
    for code, count in by_code.items():
        found = [d for d in diagnostics if d.code == code]
        rows.append(CodeCount(code, found[0].name, max(d.severity for d in found), count,
                              any(d.fix is not None for d in found)))
    return sorted(rows, key=lambda row: (-row.count, row.code))


def statistics(diagnostics: Sequence[Diagnostic], lang: str | None = None, json_format: bool = False) -> str:
    """The table above, or with `--format json` a list of {code, name, severity, count, fixable}."""
    rows = counts(diagnostics)
    if json_format:
        return json.dumps([{"code": row.code, "name": row.name, "severity": row.severity.label, "count": row.count,
                            "fixable": row.fixable} for row in rows], indent=2) + "\n"
    if not rows:
        return ""
    table = [(str(row.count), row.code, row.name, translate(row.severity.label, lang), "[*]" if row.fixable else "")
             for row in rows]
    widths = [max(len(cells[column]) for cells in table) for column in range(4)]
    lines = []
    for cells in table:
        count, *rest = cells
        line = "  ".join([count.rjust(widths[0])] + [cell.ljust(width) for cell, width in zip(rest[:3], widths[1:])]
                         + [rest[3]])
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"
