"""`--format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and any other SARIF viewer.

One run; `tool.driver.rules` lists every rule and every LL9xx problem code (so a result's `ruleIndex`
is stable whatever was selected). Each result carries its location, related places, a fix when the
diagnostic has one, and `partialFingerprints["layerlint/v1"]`: a hash of the code, the file and the
*text* of the reported and related lines (whitespace-normalised), never of line numbers, so a finding
keeps its identity when code elsewhere in the file moves it up or down.

Paths are written relative to the current working directory with `uriBaseId: "%SRCROOT%"` (the
checkout root, when layerlint runs there, as in CI); a file outside it gets an absolute `file:` URI.
Columns are counted in characters (`columnKind: unicodeCodePoints`), the model of `Span`. Source files
are read (never executed) only to fingerprint lines and to turn a fix's character offsets into
line/column regions.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Sequence
from urllib.parse import quote

from layerlint._version import __version__
from layerlint.diagnostics import Diagnostic, Edit, Severity, Span
from layerlint.i18n import N_, translate
from layerlint.report.fingerprint import finding_hash
from layerlint.static.problems import PROBLEMS
from layerlint.static.rules import ALL_RULES
from layerlint.static.source import UnreadableSource, read

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://layerlint.readthedocs.io/"
HELP_URI = "https://layerlint.readthedocs.io/en/latest/rules/{code}.html"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "layerlint/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's line ends, as in layerlint.fix.positions
LANGUAGE = re.compile(r"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$")  # the schema's pattern for run.language


class _SourceFiles:
    """The text of each checked file, read once, decoded the way the checker decodes it."""

    def __init__(self) -> None:
        self._texts: dict[str, str | None] = {}
        self._lines: dict[str, list[str] | None] = {}
        self._starts: dict[str, list[int]] = {}

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            try:
                self._texts[path] = read(path).text
            except (UnreadableSource, OSError, ValueError):
                self._texts[path] = None
        return self._texts[path]

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            text = self.text(path)
            self._lines[path] = None if text is None else LINE_BREAK.split(text)
        return self._lines[path]

    def line(self, path: str, number: int) -> str | None:
        lines = self.lines(path)
        if lines is None or not 0 < number <= len(lines):
            return None
        return lines[number - 1]

    def position(self, path: str, offset: int) -> tuple[int, int] | None:
        """1-based (line, character column) of a character offset into the file's text."""
        text = self.text(path)
        if text is None:
            return None
        if path not in self._starts:
            self._starts[path] = [0] + [match.end() for match in LINE_BREAK.finditer(text)]
        starts = self._starts[path]
        offset = max(0, min(offset, len(text)))
        low, high = 0, len(starts) - 1
        while low < high:  # the last line start <= offset
            middle = (low + high + 1) // 2
            if starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - starts[low] + 1


def artifact_location(path: str, cwd: str | None = None) -> dict[str, Any]:
    """`{"uri": "src/model.py", "uriBaseId": "%SRCROOT%"}`, or an absolute `file:` URI for a file
    outside the working directory (or a pseudo-path such as `<string>`, kept as a relative URI)."""
    cwd = cwd or os.getcwd()
    if path.startswith("<") and path.endswith(">"):
        return {"uri": quote(path, safe="/")}
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        relative = None
    if relative is None or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": "file://" + quote(os.fsencode(Path(absolute).as_posix()), safe="/")}
    # A name that is not valid UTF-8 is percent-encoded byte by byte, as URIs spell such names.
    return {"uri": quote(os.fsencode(PurePosixPath(*Path(relative).parts).as_posix()), safe="/"),
            "uriBaseId": SRCROOT}


def _region(span: Span) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": span.line, "startColumn": max(span.column, 1)}
    if span.end_line is not None:
        region["endLine"] = max(span.end_line, span.line)
        if span.end_column is not None:
            region["endColumn"] = max(span.end_column, 1)
    return region


def _physical_location(span: Span, cwd: str) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": artifact_location(span.path, cwd), "region": _region(span)}
    if span.cell is not None:
        location["properties"] = {"cell": span.cell}
    return location


def fingerprint(diagnostic: Diagnostic, sources: _SourceFiles, cwd: str) -> str:
    """The finding's identity (`layerlint.report.fingerprint`), its file spelled as its SARIF URI."""
    return finding_hash(diagnostic, artifact_location(diagnostic.span.path, cwd)["uri"], sources.line)


def _replacement(path: str, edit: Edit, sources: _SourceFiles) -> dict[str, Any]:
    start, end = sources.position(path, edit.start), sources.position(path, edit.end)
    if start is not None and end is not None:
        region = {"startLine": start[0], "startColumn": start[1], "endLine": end[0], "endColumn": end[1]}
    else:  # the file is gone: fall back on the offsets themselves
        region = {"charOffset": max(edit.start, 0), "charLength": max(edit.end - edit.start, 0)}
    return {"deletedRegion": region, "insertedContent": {"text": edit.replacement}}


def _fix(diagnostic: Diagnostic, sources: _SourceFiles, cwd: str, lang: str | None) -> dict[str, Any] | None:
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return None
    path = diagnostic.span.path
    replacements = [_replacement(path, edit, sources) for edit in sorted(fix.edits, key=lambda e: (e.start, e.end))]
    return {
        "description": {"text": fix.title.render(lang)},
        "artifactChanges": [{"artifactLocation": artifact_location(path, cwd), "replacements": replacements}],
        "properties": {"applicability": fix.applicability.value},
    }


def _descriptor(code: str, name: str, level: str, summary: str, documentation: str,
                enabled: bool = True) -> dict[str, Any]:
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": documentation, "markdown": documentation},
        "help": {"text": documentation, "markdown": documentation},
        "helpUri": HELP_URI.format(code=code),
        "defaultConfiguration": {"enabled": enabled, "level": level},
        "properties": {"tags": ["layerlint"]},
    }


def rule_descriptors() -> list[dict[str, Any]]:
    """Every rule, then every LL9xx problem code, in registry order (a stable `ruleIndex`)."""
    descriptors = [_descriptor(rule.code, rule.name, LEVELS[rule.severity], rule.summary(), rule.documentation(),
                               rule.enabled_by_default) for rule in ALL_RULES]
    for code, (name, summary) in PROBLEMS.items():
        documentation = f"{summary}\n\nThe file was not checked; fix the cause and run layerlint again."
        descriptors.append(_descriptor(code, name, "error", summary, documentation))
    return descriptors


def _message(diagnostic: Diagnostic, lang: str | None) -> str:
    text = diagnostic.message.render(lang)
    if diagnostic.help is not None:
        text += "\n" + translate(N_("help: {help}"), lang).format(help=diagnostic.help.render(lang))
    return text


def build(diagnostics: Sequence[Diagnostic], lang: str | None = None, cwd: str | None = None) -> dict[str, Any]:
    """The SARIF log as a dict (what `render` serialises)."""
    cwd = cwd or os.getcwd()
    rules = rule_descriptors()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    sources = _SourceFiles()
    results = []
    seen: dict[str, int] = {}
    for diagnostic in diagnostics:
        if diagnostic.code not in index:  # a code outside the registry still gets a descriptor
            index[diagnostic.code] = len(rules)
            rules.append(_descriptor(diagnostic.code, diagnostic.name, LEVELS[diagnostic.severity],
                                     diagnostic.name, diagnostic.name))
        base = fingerprint(diagnostic, sources, cwd)
        seen[base] = seen.get(base, 0) + 1  # identical lines twice in a file: tell them apart by order
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "ruleIndex": index[diagnostic.code],
            "level": LEVELS[diagnostic.severity],
            "message": {"text": _message(diagnostic, lang)},
            "locations": [{"physicalLocation": _physical_location(diagnostic.span, cwd)}],
            "partialFingerprints": {FINGERPRINT_KEY: f"{base}:{seen[base]}"},
            "properties": {"name": diagnostic.name, "confidence": diagnostic.confidence.value,
                           "origin": diagnostic.origin},
        }
        if diagnostic.related:
            result["relatedLocations"] = [
                {"id": number, "physicalLocation": _physical_location(related.span, cwd),
                 "message": {"text": related.message.render(lang)}}
                for number, related in enumerate(diagnostic.related, start=1)]
        fix = _fix(diagnostic, sources, cwd, lang)
        if fix is not None:
            result["fixes"] = [fix]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "layerlint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": INFORMATION_URI, "rules": rules}},
        "invocations": [{"executionSuccessful": not any(d.code == "LL903" for d in diagnostics)}],
        "originalUriBaseIds": {SRCROOT: {"uri": Path(cwd).resolve().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    language = (lang or "").replace("_", "-")
    if LANGUAGE.match(language):
        run["language"] = language
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(diagnostics: Sequence[Diagnostic], lang: str | None = None) -> str:
    return json.dumps(build(diagnostics, lang), indent=2, ensure_ascii=False) + "\n"
