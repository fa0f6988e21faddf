"""Applying fixes: rounds of non-overlapping edits, re-checked to a fixpoint, written atomically.

`apply_fixes` takes the diagnostics of one text and applies the applicable fixes (safe ones, and
unsafe ones only with `unsafe=True`, as ruff does). Fixes whose edits touch one already taken this
round wait for the next round; a round whose result does not parse is retried fix by fix and the
fixes that break the text are dropped. After each round the text is checked again with the same
selection, until nothing applicable is left (at most `MAX_ROUNDS` rounds).

`fix_file` keeps the file's encoding (coding cookie, BOM) and line endings, writes through a
temporary file in the same folder renamed over the original (keeping its mode), and never writes
text that does not parse. `--diff` shows the same fixes `--fix` would apply (so unsafe fixes only
with `--unsafe-fixes`) and writes nothing.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Sequence

from layerlint.diagnostics import Applicability, Diagnostic, Fix, could_not_check
from layerlint.fix.positions import apply_edits, overlapping, parses
from layerlint.i18n import N_, translate
from layerlint.static import notebook
from layerlint.static.checker import NOTEBOOK_SUFFIX, Project, Selection, check_source, discover
from layerlint.static import problems
from layerlint.static.source import UnreadableSource, read, read_bytes

MAX_ROUNDS = 50  # fixes inserting at one place (several moves into __init__) apply one per round

NO_FIX = N_("no automatic fix is available")
UNSAFE = N_("the fix is unsafe: use --unsafe-fixes to apply it")
BREAKS = N_("the fix would produce code that does not parse")
CONFLICT = N_("the fix conflicts with another one; run again")
UNCHECKED = N_("the file could not be checked")


@dataclass
class FixResult:
    text: str  # the fixed text (the original when nothing applied)
    applied: list[Diagnostic] = field(default_factory=list)  # findings whose fix was applied
    skipped: list[tuple[Diagnostic, str]] = field(default_factory=list)  # remaining findings, and why
    remaining: list[Diagnostic] = field(default_factory=list)  # every finding of the fixed text

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and bool(fix.edits) and (fix.applicability is Applicability.SAFE or unsafe)


def _signature(diagnostic: Diagnostic) -> tuple:
    return (diagnostic.code, tuple((e.start, e.end, e.replacement) for e in diagnostic.fix.edits))


def _compatible(fix: Fix, taken: list) -> bool:
    return not any(overlapping(edit, other) for edit in fix.edits for other in taken)


def apply_fixes(text: str, diagnostics: Sequence[Diagnostic], unsafe: bool, *, path: str = "<string>",
                selection: Selection | None = None, project: Project | None = None) -> FixResult:
    """Applies the fixes of `diagnostics` (found in `text`) and those the re-checks find, to a fixpoint.

    `selection` is the one the diagnostics were found with (default: exactly their codes)."""
    if selection is None:
        selection = Selection(select=tuple(sorted({d.code for d in diagnostics})) or ("ALL",))
    current = text
    found = list(diagnostics)
    applied: list[Diagnostic] = []
    broken: set[tuple] = set()
    seen = {current}
    for _ in range(MAX_ROUNDS):
        candidates = sorted((d for d in found if applicable(d, unsafe) and _signature(d) not in broken),
                            key=lambda d: (min(e.start for e in d.fix.edits), d.sort_key))
        if not candidates:
            break
        chosen: list[Diagnostic] = []
        taken: list = []
        for diagnostic in candidates:
            if _compatible(diagnostic.fix, taken):
                chosen.append(diagnostic)
                taken.extend(diagnostic.fix.edits)
        result = apply_edits(current, taken)
        if not parses(result):
            # One of them breaks the text: keep, one by one, those that leave it parsable.
            chosen, result = _one_by_one(current, chosen, broken)
        if not chosen or result in seen:
            break
        applied.extend(chosen)
        current = result
        seen.add(current)
        found = check_source(current, path, selection, project)
    reasons = []
    for diagnostic in found:
        if could_not_check(diagnostic):
            reason = UNCHECKED
        elif diagnostic.fix is None or not diagnostic.fix.edits:
            reason = NO_FIX
        elif _signature(diagnostic) in broken:
            reason = BREAKS
        elif not applicable(diagnostic, unsafe):
            reason = UNSAFE
        else:
            reason = CONFLICT
        reasons.append((diagnostic, reason))
    return FixResult(current, applied, reasons, list(found))


def _one_by_one(text: str, chosen: list[Diagnostic], broken: set[tuple]) -> tuple[list[Diagnostic], str]:
    kept: list[Diagnostic] = []
    taken: list = []
    for diagnostic in chosen:
        trial = apply_edits(text, taken + list(diagnostic.fix.edits))
        if parses(trial):
            kept.append(diagnostic)
            taken.extend(diagnostic.fix.edits)
        else:
            broken.add(_signature(diagnostic))
    return kept, apply_edits(text, taken)


# --- files --------------------------------------------------------------------------------------

def fix_file(path: str, selection: Selection | None = None, unsafe: bool = False, write: bool = True,
             project: Project | None = None) -> tuple[FixResult, str]:
    """Fixes one file: (result, unified diff of the change). Writes only when `write` and the fixed
    text parses; the file keeps its encoding and line endings. Raises `UnreadableSource`."""
    selection = selection or Selection()
    if path.endswith(NOTEBOOK_SUFFIX):
        return _fix_notebook(path, selection, unsafe, write, project)
    source = read(path)
    text = source.text
    diagnostics = check_source(text, path, selection, project)
    if any(could_not_check(d) for d in diagnostics):
        return FixResult(text, [], [(d, UNCHECKED) for d in diagnostics], diagnostics), ""
    result = apply_fixes(text, diagnostics, unsafe, path=path, selection=selection, project=project)
    if result.text == text:
        return result, ""
    if not parses(result.text):  # apply_fixes never returns such a text; this guards the write
        return FixResult(text, [], [(d, BREAKS) for d in diagnostics], diagnostics), ""
    diff = unified_diff(text, result.text, path)
    if write:
        write_atomically(path, result.text, source.encoding)
    return result, diff


def _fix_notebook(path: str, selection: Selection, unsafe: bool, write: bool,
                  project: Project | None) -> tuple[FixResult, str]:
    """The code cells are fixed as one text and put back; outputs and metadata stay as they were."""
    data = read_bytes(path)
    book = notebook.load(data)
    diagnostics = check_source(book.text, path, selection, project)
    if any(could_not_check(d) for d in diagnostics):
        found = notebook.remap(diagnostics, book)
        return FixResult(book.text, [], [(d, UNCHECKED) for d in found], found), ""
    result = apply_fixes(book.text, diagnostics, unsafe, path=path, selection=selection, project=project)
    result = dataclasses.replace(result, remaining=notebook.remap(list(result.remaining), book),
                                 skipped=[(d, why) for d, why in zip(notebook.remap([d for d, _ in result.skipped], book),
                                                                     [why for _, why in result.skipped])])
    if result.text == book.text or not parses(result.text):
        return result, ""
    diff = unified_diff(book.text, result.text, path)
    if write:
        write_atomically(path, notebook.dumps(notebook.updated(book, result.text), data), "utf-8")
    return result, diff


def unified_diff(before: str, after: str, path: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomically(path: str, text: str, encoding: str) -> None:
    """Encodes `text` as the file was (a BOM stays: `utf-8-sig`) and replaces the file in one rename."""
    data = text.encode(encoding)
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".layerlint")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def run_fix_command(paths: Sequence[str], selection: Selection | None, unsafe: bool, diff: bool,
                    out: IO[str] | None = None, *, err: IO[str] | None = None, format: str = "text",
                    lang: str | None = None) -> int:
    """`layerlint check --fix [--unsafe-fixes]` and `layerlint check --diff [--unsafe-fixes]`.

    --fix: writes the fixes, prints the findings that remain, and "Fixed N finding(s) in M file(s)."
    on stderr; exit 0 when nothing remains, 1 when findings remain, 2 when a file could not be
    checked or written. --diff: prints the unified diff of what --fix would change, writes nothing,
    and "Would fix N finding(s) in M file(s)." on stderr; exit 1 when there is something to fix or a
    finding remains, 0 when not, 2 as above."""
    from layerlint.fix.builders import libcst_missing
    from layerlint.report import FORMATS

    out = out or sys.stdout
    err = err or sys.stderr
    if libcst_missing():
        err.write("layerlint: fixing needs libcst; install it with `pip install 'layerlint[fix]'`\n")
        return 2
    selection = selection or Selection()
    project = Project(roots=[Path(p).resolve() if os.path.isdir(p) else Path(p).resolve().parent for p in paths])
    remaining: list[Diagnostic] = []
    fixed = files = 0
    failed = False
    diffs = []
    for path, problem in discover(paths):
        if problem is not None:
            remaining.append(problems.unreadable(path, problem))
            continue
        try:
            result, change = fix_file(path, selection, unsafe, write=not diff, project=project)
        except UnreadableSource as error:
            remaining.append(problems.unreadable(path, str(error)))
            continue
        except OSError as error:
            err.write(f"layerlint: {path}: could not write the fixed file: {error.strerror or error}\n")
            failed = True
            continue
        if change:
            fixed += len(result.applied)
            files += 1
            diffs.append(change)
        remaining.extend(result.remaining)
    if diff:
        out.write("".join(diffs))
        template = N_("Would fix {count} finding(s) in {files} file(s).")
    else:
        out.write(FORMATS[format](remaining, lang))
        template = N_("Fixed {count} finding(s) in {files} file(s).")
    err.write(translate(template, lang).format(count=fixed, files=files) + "\n")
    if failed or any(could_not_check(d) for d in remaining):
        return 2
    if diff:
        return 1 if diffs or remaining else 0
    return 1 if remaining else 0
