"""LL9xx: the file could not be checked. They are diagnostics like any other, so every output format
shows them, and they make the exit code 2."""

from __future__ import annotations

import sys

from layerlint.diagnostics import Diagnostic, Severity, Span, Text
from layerlint.i18n import N_

PROBLEMS = {
    "LL901": ("syntax-error", N_("The file is not valid Python, so it was not checked.")),
    "LL902": ("unreadable-file", N_("The file could not be read as Python source.")),
    "LL903": ("internal-error", N_("layerlint failed on this file; that is a bug in layerlint.")),
    "LL904": ("analysis-budget-exceeded", N_("The analysis of the file took too long, so it was stopped.")),
}


def problem(code: str, path: str, message: Text, line: int = 1, column: int = 1) -> Diagnostic:
    return Diagnostic(code=code, name=PROBLEMS[code][0], severity=Severity.ERROR,
                      span=Span(path, max(line, 1), max(column, 1)), message=message)


def syntax_error(path: str, error: SyntaxError) -> Diagnostic:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return problem("LL901", path, Text(N_("syntax error: {reason} (parsed as Python {version})"),
                                       {"reason": error.msg, "version": version}),
                   error.lineno or 1, error.offset or 1)


def unreadable(path: str, reason: str) -> Diagnostic:
    return problem("LL902", path, Text(N_("cannot read the file: {reason}"), {"reason": reason}))


def internal_error(path: str, error: BaseException) -> Diagnostic:
    return problem("LL903", path, Text(
        N_("internal error while checking this file ({error}); this is a bug in layerlint: please "
           "report it to the layerlint issue tracker, with the file if you can"),
        {"error": f"{type(error).__name__}: {error}"}))


def budget_exceeded(path: str, reason: Text) -> Diagnostic:
    return problem("LL904", path, Text(N_("analysis stopped: the file exceeds the analysis budget ({reason})"),
                                       {"reason": reason}))
