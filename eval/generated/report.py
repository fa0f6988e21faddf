"""Agreement between the checker and the real runs, per spelling and framework, as a table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from generated.generator import BY_NAME, SPELLINGS
from generated.runner import Outcome


@dataclass
class Tally:
    n: int = 0
    agree: int = 0

    def add(self, agree: bool) -> None:
        self.n += 1
        self.agree += agree

    def __str__(self) -> str:
        return f"{self.agree}/{self.n}" if self.n else "-"


@dataclass
class Row:
    spelling: str
    framework: str
    all: Tally = field(default_factory=Tally)
    bug_one_module: Tally = field(default_factory=Tally)  # the bug, all in model.py
    bug_modules: Tally = field(default_factory=Tally)  # the bug, through a helper in another module
    negatives: Tally = field(default_factory=Tally)  # the road without the bug

    @property
    def rate(self) -> float:
        return self.all.agree / self.all.n if self.all.n else 1.0

    def add(self, outcome: Outcome) -> None:
        program = outcome.program
        self.all.add(outcome.agree)
        part = (self.negatives if not program.reuse else self.bug_modules if program.split else self.bug_one_module)
        part.add(outcome.agree)


def rows(outcomes: list[Outcome]) -> list[Row]:
    """One row per (spelling, framework), in the order of the spelling table."""
    table: dict[tuple[str, str], Row] = {}
    for outcome in outcomes:
        program = outcome.program
        table.setdefault((program.spelling, program.framework), Row(program.spelling, program.framework)).add(outcome)
    order = {spelling.name: index for index, spelling in enumerate(SPELLINGS)}
    return sorted(table.values(), key=lambda r: (order[r.spelling], r.framework))


def gap_note(spelling: str, framework: str) -> str:
    """`all`, the kinds of layer the checker does not follow on that road yet, or nothing."""
    known = BY_NAME[spelling].known_gap
    if framework in known:
        return "all"
    return ", ".join(entry.split(":", 1)[1] for entry in known if entry.startswith(framework + ":"))


def _rate(agree: int, n: int) -> str:
    return f"{agree / n:.3f}" if n else "-"


def table(outcomes: list[Outcome]) -> str:
    """A Markdown table: spelling, framework, n, agree, rate; then agree/n of the programs with the bug
    written in one module, of those with the bug reaching model.py from another module, and of the
    road's negatives; and the status (baseline or road, and the known gap)."""
    lines = ["| spelling | framework | n | agree | rate | bug, one module | bug, across modules | negatives | status |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in rows(outcomes):
        status = "baseline" if BY_NAME[row.spelling].baseline else "road"
        gap = gap_note(row.spelling, row.framework)
        if gap:
            status += f", known gap: {gap}"
        lines.append(f"| {row.spelling} | {row.framework} | {row.all.n} | {row.all.agree} | {row.rate:.3f} | "
                     f"{row.bug_one_module} | {row.bug_modules} | {row.negatives} | {status} |")
    return "\n".join(lines)


def summary(outcomes: list[Outcome]) -> str:
    """Overall agreement, per framework, and outside the known gaps."""
    def line(label: str, chosen: list[Outcome]) -> str:
        agree = sum(o.agree for o in chosen)
        return f"{label}: {agree}/{len(chosen)} = {_rate(agree, len(chosen))}"

    by_framework: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_framework[outcome.program.framework].append(outcome)
    parts = [line("overall", outcomes),
             line("outside the known gaps", [o for o in outcomes if not o.program.gap]),
             line("baseline spellings", [o for o in outcomes if BY_NAME[o.program.spelling].baseline])]
    parts += [line(framework, chosen) for framework, chosen in sorted(by_framework.items())]
    honest = sum(o.honest for o in outcomes)
    parts.append(f"generator honest (real run shows the intended truth): {honest}/{len(outcomes)}")
    return "\n".join(parts)


def disagreements(outcomes: list[Outcome], limit: int = 20) -> str:
    """The first disagreements outside the known gaps and every dishonest program, for debugging."""
    shown = [o for o in outcomes if (not o.agree and not o.program.gap) or not o.honest][:limit]
    return "\n".join(f"{o.program.label}: truth {o.truth} (meant {o.program.intended}), checker {o.verdict} "
                     f"{list(o.codes)}; {o.detail[:160]}" for o in shown)
