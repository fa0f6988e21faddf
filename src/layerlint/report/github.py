"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=model.py,line=19,col=13,endLine=19,endColumn=30,title=LL001 reuse-shape-mismatch::message

error and warning keep their name; info becomes `::notice`. The message carries the related places
and the help as further lines. Escaping follows the workflow-command rules of `@actions/core`: in the
message (data) `%`, CR and LF become `%25`, `%0D`, `%0A`; in a property value `:` and `,` become
`%3A` and `%2C` as well. Paths are relative to the working directory (the workspace in CI), with `/`.
A closing plain line gives the summary, as the text format does.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Sequence

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.i18n import N_, translate
from layerlint.report.text import summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def relative_path(path: str, cwd: str | None = None) -> str:
    """`path` relative to the working directory with `/` separators; unchanged when outside it."""
    if path.startswith("<") and path.endswith(">"):
        return path
    try:
        relative = os.path.relpath(os.path.abspath(path), cwd or os.getcwd())
    except ValueError:  # another drive on Windows
        return path
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return Path(path).as_posix()
    return PurePosixPath(*Path(relative).parts).as_posix()


def render_one(diagnostic: Diagnostic, lang: str | None = None, cwd: str | None = None) -> str:
    span = diagnostic.span
    properties = [("file", relative_path(span.path, cwd)), ("line", str(span.line))]
    one_line = span.end_line is None or span.end_line == span.line
    if one_line:  # GitHub takes columns only for an annotation on one line
        properties.append(("col", str(span.column)))
    if span.end_line is not None:
        properties.append(("endLine", str(span.end_line)))
        if one_line and span.end_column is not None:
            properties.append(("endColumn", str(span.end_column)))
    properties.append(("title", f"{diagnostic.code} {diagnostic.name}"))

    lines = [diagnostic.message.render(lang)]
    if span.cell is not None:
        lines[0] = f"[cell {span.cell}] {lines[0]}"
    for related in diagnostic.related:
        where = f"{relative_path(related.span.path, cwd)}:{related.span.line}:{related.span.column}"
        lines.append(f"  {where}: {related.message.render(lang)}")
    if diagnostic.help is not None:
        lines.append("  " + translate(N_("help: {help}"), lang).format(help=diagnostic.help.render(lang)))

    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMANDS[diagnostic.severity]} {rendered}::{escape_data(chr(10).join(lines))}"


def render(diagnostics: Sequence[Diagnostic], lang: str | None = None) -> str:
    return "".join(render_one(d, lang) + "\n" for d in diagnostics) + summary(diagnostics, lang) + "\n"
