"""`--format text`: `path:line:col: CODE [severity] message`, the related places indented under it,
then the `help:` line, in the manner of ruff and rustc."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from layerlint.diagnostics import Diagnostic, Severity, could_not_check
from layerlint.i18n import N_, translate


def render_one(diagnostic: Diagnostic, lang: str | None = None) -> str:
    lines = [f"{diagnostic.span.location()}: {diagnostic.code} [{translate(diagnostic.severity.label, lang)}] "
             f"{diagnostic.message.render(lang)}"]
    for related in diagnostic.related:
        lines.append(f"  {related.span.location()}: {related.message.render(lang)}")
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


def render(diagnostics: Sequence[Diagnostic], lang: str | None = None) -> str:
    blocks = [render_one(d, lang) for d in diagnostics]
    return "\n\n".join(blocks + [summary(diagnostics, lang)]) + "\n"

