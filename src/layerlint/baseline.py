"""The baseline: findings a team has accepted, so that CI fails on new findings only.

`layerlint check --write-baseline FILE` records every current finding; `--baseline FILE` then
reports only findings the file does not account for. A finding is matched by the fingerprint SARIF
uses (`layerlint.report.fingerprint`): its code, its file (relative to the baseline's folder, so the
check may run from anywhere) and the text of its lines, not their numbers, so lines moving elsewhere
in the file keep it accepted, while editing an offending line makes it new. Identical findings on
identical lines are counted: an entry with `"count": 2` accepts two of them, a third is new. When a
fingerprint has more findings than its count, the first ones in file order are the accepted ones.
Entries matching nothing any more are *stale*: the finding was fixed and the entry can go.

Findings that say a file could not be checked (LL9xx) are never baselined: they stay errors.

The file is JSON, sorted and indented so that it diffs well in review:

    {"version": 1, "findings": [{"path": "src/model.py", "code": "LL002", "name": "...",
     "fingerprint": "<32 hex digits>", "count": 1, "source": "x = self.bn(x)"}]}

This module is a library: the command line wires it to `--baseline`, `--write-baseline` and
`--show-baseline`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import Any, Iterable, Mapping, Sequence

from layerlint.writes import write_file
from layerlint.diagnostics import Diagnostic, Text, could_not_check
from layerlint.i18n import N_
from layerlint.report.fingerprint import LineReader, finding_hash, span_text
from layerlint.static.source import UnreadableSource, read
from layerlint.text import split_lines

VERSION = 1
SOURCE_LIMIT = 120  # characters of the reported line kept for people reviewing the file
_FIELDS: dict[str, type] = {"path": str, "code": str, "fingerprint": str, "count": int}


class BaselineError(Exception):
    """The baseline file cannot be read or written; `text` says why, with the file's name."""

    def __init__(self, text: Text):
        super().__init__(text.render())
        self.text = text


@dataclass(frozen=True, order=True)
class Entry:
    path: str  # POSIX spelling, relative to the baseline file's folder
    code: str
    fingerprint: str
    count: int = 1
    name: str = ""
    source: str = ""  # the reported line, whitespace-normalised; informative only

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.code, self.fingerprint)


@dataclass(frozen=True)
class Baseline:
    folder: str  # absolute: finding paths are made relative to it
    entries: tuple[Entry, ...]


# --- reading source lines --------------------------------------------------------------------------


class SourceLines:
    """The checked files, read once and decoded as the checker decodes them: `read_line(path, number)`
    for the baseline, and `text(path)` for the SARIF log. The report formats read no file; this is
    what the command line gives them.

    `texts` gives the text of some paths instead of reading them: the text checked from standard
    input (`--stdin-filename src/model.py -`) is what its findings' lines must come from, not the
    file on disk, which may differ."""

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self._texts: dict[str, str | None] = dict(texts or {})
        self._lines: dict[str, list[str] | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            try:
                self._texts[path] = read(path).text
            except (UnreadableSource, OSError, ValueError):
                self._texts[path] = None
        return self._texts[path]

    def __call__(self, path: str, number: int) -> str | None:
        if path not in self._lines:
            text = self.text(path)
            self._lines[path] = None if text is None else split_lines(text)
        lines = self._lines[path]
        if lines is None or not 0 < number <= len(lines):
            return None
        return lines[number - 1]


# --- fingerprints ------------------------------------------------------------------------------------


def relative_path(path: str, folder: str) -> str:
    """A finding's path as the baseline spells it: POSIX, relative to the baseline's folder."""
    if path.startswith("<") and path.endswith(">"):  # <string>, <stdin>: no file to relate
        return path
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, folder)
    except ValueError:  # another drive on Windows
        relative = absolute
    return PurePath(relative).as_posix()


def _key(diagnostic: Diagnostic, folder: str, read_line: LineReader) -> tuple[str, str, str]:
    path = relative_path(diagnostic.span.path, folder)
    return (path, diagnostic.code, finding_hash(diagnostic, path, read_line))


def _source(diagnostic: Diagnostic, read_line: LineReader) -> str:
    text = span_text(diagnostic.span, read_line) or ""
    return text if len(text) <= SOURCE_LIMIT else text[:SOURCE_LIMIT - 1] + "…"


def entries_for(diagnostics: Iterable[Diagnostic], folder: str,
                read_line: LineReader | None = None) -> tuple[Entry, ...]:
    """The baseline entries accepting these findings (LL9xx left out), sorted."""
    read_line = read_line or SourceLines()
    counts: Counter[tuple[str, str, str]] = Counter()
    first: dict[tuple[str, str, str], Diagnostic] = {}
    for diagnostic in sorted((d for d in diagnostics if not could_not_check(d)), key=lambda d: d.sort_key):
        key = _key(diagnostic, folder, read_line)
        counts[key] += 1
        first.setdefault(key, diagnostic)
    return tuple(sorted(Entry(key[0], key[1], key[2], counts[key], first[key].name, _source(first[key], read_line))
                        for key in counts))


# --- the file ----------------------------------------------------------------------------------------


def render(entries: Sequence[Entry]) -> str:
    """The file's text: stable for the same findings, whatever their order or the run's folder."""
    document = {"version": VERSION, "findings": [asdict(entry) for entry in sorted(entries)]}
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write(path: str, diagnostics: Iterable[Diagnostic], read_line: LineReader | None = None) -> Baseline:
    """Record the current findings as accepted, replacing the file atomically."""
    folder = os.path.dirname(os.path.abspath(path))
    entries = entries_for(diagnostics, folder, read_line)
    try:
        write_file(path, render(entries).encode("utf-8"))
    except OSError as error:
        raise BaselineError(Text(N_("{path}: cannot write the baseline file: {reason}"),
                                 {"path": path, "reason": error.strerror or str(error)})) from error
    return Baseline(folder, entries)


def load(path: str) -> Baseline:
    """Read a baseline file; `BaselineError` with the file (and line:column) for anything wrong."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise BaselineError(Text(N_("{path}: cannot read the baseline file: {reason}"),
                                 {"path": path, "reason": reason})) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(Text(N_("{path}:{line}:{column}: the baseline file is not valid JSON: {reason}"),
                                 {"path": path, "line": error.lineno, "column": error.colno,
                                  "reason": error.msg})) from error
    entries = _entries(path, document)
    return Baseline(os.path.dirname(os.path.abspath(path)), entries)


def _entries(path: str, document: object) -> tuple[Entry, ...]:
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list) \
            or "version" not in document:
        raise BaselineError(Text(N_('{path}: not a layerlint baseline file (expected an object with '
                                    '"version" and "findings")'), {"path": path}))
    if document["version"] != VERSION:
        raise BaselineError(Text(N_("{path}: baseline format version {found} is not supported (this layerlint "
                                    "reads version {expected}); write it again with --write-baseline"),
                                 {"path": path, "found": document["version"], "expected": VERSION}))
    return tuple(_entry(path, number, record) for number, record in enumerate(document["findings"], 1))


def _entry(path: str, number: int, record: Any) -> Entry:
    for field, kind in _FIELDS.items():
        value: Any = record.get(field) if isinstance(record, dict) else None
        if not isinstance(value, kind) or isinstance(value, bool) or (isinstance(value, int) and kind is int and value < 1):
            raise BaselineError(Text(N_('{path}: finding {number} of the baseline has no valid "{field}"'),
                                     {"path": path, "number": number, "field": field}))
    return Entry(record["path"], record["code"], record["fingerprint"], record["count"],
                 str(record.get("name", "")), str(record.get("source", "")))


# --- matching ----------------------------------------------------------------------------------------


def partition(diagnostics: Sequence[Diagnostic], baseline: Baseline, read_line: LineReader | None = None
              ) -> tuple[list[Diagnostic], list[Diagnostic], list[Entry]]:
    """(new, accepted, stale): findings the baseline does not account for, those it does (both in
    the input order), and the entries left over, each with the count of findings it no longer finds."""
    read_line = read_line or SourceLines()
    left = Counter({entry.key: entry.count for entry in baseline.entries})
    accepted_ids: set[int] = set()
    for diagnostic in sorted(diagnostics, key=lambda d: d.sort_key):  # the first in file order are accepted
        if could_not_check(diagnostic):
            continue
        key = _key(diagnostic, baseline.folder, read_line)
        if left[key] > 0:
            left[key] -= 1
            accepted_ids.add(id(diagnostic))
    new = [d for d in diagnostics if id(d) not in accepted_ids]
    accepted = [d for d in diagnostics if id(d) in accepted_ids]
    stale = [Entry(e.path, e.code, e.fingerprint, left[e.key], e.name, e.source)
             for e in baseline.entries if left[e.key] > 0]
    return new, accepted, stale


# --- what the command line prints ----------------------------------------------------------------


def summary(accepted: int, stale: Sequence[Entry]) -> Text | None:
    """One line after the findings: how many the baseline hid and how many entries are stale."""
    gone = sum(entry.count for entry in stale)
    if accepted and gone:
        return Text(N_("{accepted} finding(s) accepted by the baseline (--show-baseline shows them); "
                       "{stale} baseline entry(ies) no longer match (fixed?): --write-baseline drops them"),
                    {"accepted": accepted, "stale": gone})
    if accepted:
        return Text(N_("{accepted} finding(s) accepted by the baseline (--show-baseline shows them)"),
                    {"accepted": accepted})
    if gone:
        return Text(N_("{stale} baseline entry(ies) no longer match (fixed?): --write-baseline drops them"),
                    {"stale": gone})
    return None


def describe_stale(entry: Entry) -> Text:
    """`src/model.py: LL002 × 1 no longer found: x = self.bn(x)`, one line per stale entry."""
    return Text(N_("{path}: {code} × {count} no longer found: {source}"),
                {"path": entry.path, "code": entry.code, "count": entry.count, "source": entry.source})
