"""`--format text`: `path:line:col: CODE [severity] message`, the related places indented under it,
then the `help:` line, in the manner of ruff and rustc; in colour on request (`--color`)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from layerlint.diagnostics import Diagnostic, Severity, Span, could_not_check
from layerlint.i18n import N_, translate

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"
_SEVERITY_COLOUR = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.INFO: "\x1b[1;34m"}


def _location(span: Span) -> str:
    """A file name may hold terminal escapes (`\x1b[2J`): shown escaped, never executed."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", span.location())


def render_one(diagnostic: Diagnostic, lang: str | None = None, color: bool = False) -> str:
    def paint(style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    severity = diagnostic.severity
    lines = [f"{paint(_BOLD, _location(diagnostic.span))}: {paint(_SEVERITY_COLOUR[severity], diagnostic.code)} "
             f"[{translate(severity.label, lang)}] {diagnostic.message.render(lang)}"]
    for related in diagnostic.related:
        lines.append(f"  {_location(related.span)}: {related.message.render(lang)}")
    if diagnostic.help is not None:
        lines.append("  " + translate(N_("help: {help}"), lang).format(help=diagnostic.help.render(lang)))
    return "\n".join(lines)


_SEVERITY_COUNTS = {Severity.ERROR: N_("{count} error(s)"), Severity.WARNING: N_("{count} warning(s)"),
                    Severity.INFO: N_("{count} info")}


def summary(diagnostics: Sequence[Diagnostic], lang: str | None = None) -> str:
    """Whole-sentence templates, so a translation can order the words as its language needs."""
    if not diagnostics:
        return translate(N_("All checks passed."), lang)
    findings = [d for d in diagnostics if not could_not_check(d)]
    counts = Counter(d.severity for d in findings)
    details = translate(N_(", "), lang).join(
        translate(_SEVERITY_COUNTS[s], lang).format(count=counts[s]) for s in sorted(counts, reverse=True))
    sentences = []
    if findings:
        sentences.append(translate(N_("Found {count} finding(s) ({details})."), lang).format(
            count=len(findings), details=details))
    problems = len(diagnostics) - len(findings)
    if problems:
        sentences.append(translate(N_("{count} file(s) could not be checked."), lang).format(count=problems))
    return " ".join(sentences)


def render(diagnostics: Sequence[Diagnostic], lang: str | None = None, *, color: bool = False,
           quiet: bool = False) -> str:
    """The findings, then a summary sentence (left out with `quiet`, as `ruff -q` does)."""
    blocks = [render_one(d, lang, color) for d in diagnostics] + ([] if quiet else [summary(diagnostics, lang)])
    return "\n\n".join(blocks) + "\n" if blocks else ""

