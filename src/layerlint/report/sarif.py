"""`--format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and any other SARIF viewer.

One run; `tool.driver.rules` lists every rule and every LL9xx problem code (so a result's `ruleIndex`
is stable whatever was selected). Each result carries its location, related places, a fix when the
diagnostic has one, and `partialFingerprints["layerlint/v1"]`: a hash of the code, the file and the
*text* of the reported and related lines (whitespace-normalised), never of line numbers, so a finding
keeps its identity when code elsewhere in the file moves it up or down.

Paths are written relative to the current working directory with `uriBaseId: "%SRCROOT%"` (the
checkout root, when layerlint runs there, as in CI); a file outside it gets an absolute `file:` URI.
Columns are counted in characters (`columnKind: unicodeCodePoints`), the model of `Span`.

Like every format, this one reads no file: the texts the findings were made from come from the caller
(`sources`, a path -> text function; the command line passes the files as the checker decoded them,
or the text it read from standard input). They fingerprint lines and turn a fix's character offsets
into line/column regions; without them a fingerprint hashes the message template instead of the line
and a fix region is given as character offsets, so the log is a pure function of its arguments.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Optional, Sequence
from urllib.parse import quote

from layerlint._version import __version__
from layerlint.diagnostics import Diagnostic, Edit, Severity, Span
from layerlint.i18n import N_, translate
from layerlint.report.fingerprint import finding_hash
from layerlint.static.problems import PROBLEMS
from layerlint.static.rules import ALL_RULES
from layerlint.text import SourceText

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://layerlint.readthedocs.io/"
HELP_URI = "https://layerlint.readthedocs.io/en/latest/rules/{code}.html"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "layerlint/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
LANGUAGE = re.compile(r"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$")  # the schema's pattern for run.language


SourceTexts = Callable[[str], Optional[str]]  # path -> the text its findings were made from, or None


class _Texts:
    """The texts the caller gave, each with its line table (`text.SourceText`), asked once per path."""

    def __init__(self, sources: SourceTexts | None) -> None:
        self._sources = sources
        self._texts: dict[str, SourceText | None] = {}

    def _get(self, path: str) -> SourceText | None:
        if path not in self._texts:
            text = self._sources(path) if self._sources is not None else None
            self._texts[path] = None if text is None else SourceText(text)
        return self._texts[path]

    def line(self, path: str, number: int) -> str | None:
        source = self._get(path)
        if source is None or not 0 < number <= source.line_count:
            return None
        return source.line(number)

    def position(self, path: str, offset: int) -> tuple[int, int] | None:
        """1-based (line, character column) of a character offset into the file's text."""
        source = self._get(path)
        if source is None:
            return None
        line, column = source.position(offset)
        return line, column + 1


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


def fingerprint(diagnostic: Diagnostic, texts: _Texts, cwd: str) -> str:
    """The finding's identity (`layerlint.report.fingerprint`), its file spelled as its SARIF URI."""
    return finding_hash(diagnostic, artifact_location(diagnostic.span.path, cwd)["uri"], texts.line)


def _replacement(path: str, edit: Edit, texts: _Texts) -> dict[str, Any]:
    start, end = texts.position(path, edit.start), texts.position(path, edit.end)
    if start is not None and end is not None:
        region = {"startLine": start[0], "startColumn": start[1], "endLine": end[0], "endColumn": end[1]}
    else:  # no text given (or the file is gone): fall back on the offsets themselves
        region = {"charOffset": max(edit.start, 0), "charLength": max(edit.end - edit.start, 0)}
    return {"deletedRegion": region, "insertedContent": {"text": edit.replacement}}


def _fix(diagnostic: Diagnostic, texts: _Texts, cwd: str, lang: str | None) -> dict[str, Any] | None:
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return None
    path = diagnostic.span.path
    replacements = [_replacement(path, edit, texts) for edit in sorted(fix.edits, key=lambda e: (e.start, e.end))]
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


def build(diagnostics: Sequence[Diagnostic], lang: str | None = None, cwd: str | None = None,
          sources: SourceTexts | None = None) -> dict[str, Any]:
    """The SARIF log as a dict (what `render` serialises); `sources` gives the checked texts."""
    cwd = cwd or os.getcwd()
    rules = rule_descriptors()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    texts = _Texts(sources)
    results = []
    seen: dict[str, int] = {}
    for diagnostic in diagnostics:
        if diagnostic.code not in index:  # a code outside the registry still gets a descriptor
            index[diagnostic.code] = len(rules)
            rules.append(_descriptor(diagnostic.code, diagnostic.name, LEVELS[diagnostic.severity],
                                     diagnostic.name, diagnostic.name))
        base = fingerprint(diagnostic, texts, cwd)
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
        fix = _fix(diagnostic, texts, cwd, lang)
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


def render(diagnostics: Sequence[Diagnostic], lang: str | None = None, sources: SourceTexts | None = None) -> str:
    return json.dumps(build(diagnostics, lang, sources=sources), indent=2, ensure_ascii=False) + "\n"
