"""Applying fixes to one text: rounds of non-overlapping edits, re-checked to a fixpoint.

`apply_fixes` takes the diagnostics of one text and applies the applicable fixes (safe ones, and
unsafe ones only with `unsafe=True`, as ruff does). Fixes whose edits touch one already taken this
round wait for the next round; a round whose result does not parse is retried fix by fix and the
fixes that break the text are dropped. After each round the text is checked again (`recheck`: the
pipeline's check, filtered by the file's settings), until nothing applicable is left (at most
`MAX_ROUNDS` rounds). Files, settings and writing are `layerlint.api`'s.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from layerlint.diagnostics import Applicability, Diagnostic, Edit, could_not_check
from layerlint.fix.positions import apply_edits, overlapping, parses
from layerlint.i18n import N_
from layerlint.static.checker import Project, check_source
from layerlint.static.selection import Selection

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


def _edits(diagnostic: Diagnostic) -> tuple[Edit, ...]:
    return diagnostic.fix.edits if diagnostic.fix is not None else ()


def _signature(diagnostic: Diagnostic) -> tuple[object, ...]:
    return (diagnostic.code, tuple((e.start, e.end, e.replacement) for e in _edits(diagnostic)))


def _compatible(edits: tuple[Edit, ...], taken: list[Edit]) -> bool:
    return not any(overlapping(edit, other) for edit in edits for other in taken)


def apply_fixes(text: str, diagnostics: Sequence[Diagnostic], unsafe: bool, *, path: str = "<string>",
                selection: Selection | None = None, project: Project | None = None,
                recheck: Callable[[str], list[Diagnostic]] | None = None) -> FixResult:
    """Applies the fixes of `diagnostics` (found in `text`) and those the re-checks find, to a fixpoint.

    `recheck(text)` gives the findings of a fixed text; by default the text is checked with
    `selection` (default: exactly the codes of `diagnostics`), with no configuration."""
    if recheck is None:
        chosen_selection = selection or Selection(select=tuple(sorted({d.code for d in diagnostics})) or ("ALL",))

        def recheck(current: str) -> list[Diagnostic]:
            return check_source(current, path, chosen_selection, project)
    current = text
    found = list(diagnostics)
    applied: list[Diagnostic] = []
    broken: set[tuple[object, ...]] = set()
    seen = {current}
    for _ in range(MAX_ROUNDS):
        candidates = sorted((d for d in found if applicable(d, unsafe) and _signature(d) not in broken),
                            key=lambda d: (min(e.start for e in _edits(d)), d.sort_key))
        if not candidates:
            break
        chosen: list[Diagnostic] = []
        taken: list[Edit] = []
        for diagnostic in candidates:
            if _compatible(_edits(diagnostic), taken):
                chosen.append(diagnostic)
                taken.extend(_edits(diagnostic))
        result = apply_edits(current, taken)
        if not parses(result):
            # One of them breaks the text: keep, one by one, those that leave it parsable.
            chosen, result = _one_by_one(current, chosen, broken)
        if not chosen or result in seen:
            break
        applied.extend(chosen)
        current = result
        seen.add(current)
        found = recheck(current)
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


def _one_by_one(text: str, chosen: list[Diagnostic], broken: set[tuple[object, ...]]) -> tuple[list[Diagnostic], str]:
    kept: list[Diagnostic] = []
    taken: list[Edit] = []
    for diagnostic in chosen:
        trial = apply_edits(text, taken + list(_edits(diagnostic)))
        if parses(trial):
            kept.append(diagnostic)
            taken.extend(_edits(diagnostic))
        else:
            broken.add(_signature(diagnostic))
    return kept, apply_edits(text, taken)


def unified_diff(before: str, after: str, path: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)
