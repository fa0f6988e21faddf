"""Which rules run: ruff's `select` / `ignore` semantics over the rule registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from layerlint.static.problems import PROBLEMS
from layerlint.static.rules import ALL_RULES, Rule

ALL = "ALL"


@dataclass(frozen=True)
class Selection:
    """`select` and `ignore` take codes or prefixes (`LL0`, `LL`, `ALL`); `ignore` wins. An empty
    `select` runs nothing; `None` runs the rules that are on by default."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    def enabled(self, rule: type[Rule]) -> bool:
        if _matches(rule.code, self.ignore):
            return False
        if self.select is None:
            return rule.enabled_by_default
        return _matches(rule.code, self.select)

    def rules(self) -> list[Rule]:
        return [rule() for rule in ALL_RULES if self.enabled(rule)]

    def extended(self, codes: Iterable[str]) -> Selection:
        """`extend-select`: the current set (the defaults when none was selected) plus `codes`."""
        codes = tuple(codes)
        if not codes:
            return self
        base = default_codes() if self.select is None else self.select
        return Selection(select=base + codes, ignore=self.ignore)


def default_codes() -> tuple[str, ...]:
    return tuple(rule.code for rule in ALL_RULES if rule.enabled_by_default)


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(p.upper() == ALL or code.startswith(p.upper()) for p in patterns)


def unknown_codes(patterns: Iterable[str]) -> list[str]:
    """The patterns that name no rule and no LL9xx problem: a typo that would silently turn rules
    off (`--select XYZ`) or do nothing (`ignore = ["LL0O1"]`), so callers reject them as ruff does."""
    known = [rule.code for rule in ALL_RULES] + list(PROBLEMS)
    return [p for p in patterns if not p or not (p.upper() == ALL or any(code.startswith(p.upper()) for code in known))]
