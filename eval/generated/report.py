"""Agreement between the checker and the real runs, per spelling and framework, as a table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from generated.generator import BY_NAME, SPELLINGS
from generated.runner import Outcome


@dataclass
class Row:
    spelling: str
    framework: str
    n: int = 0
    agree: int = 0
    bug_n: int = 0  # programs with the bug (the rest are the road's negatives)
    bug_agree: int = 0
    split_n: int = 0  # programs spanning several modules
    split_agree: int = 0
    gap: bool = False  # the row holds programs in the spelling's known gaps

    @property
    def rate(self) -> float:
        return self.agree / self.n if self.n else 1.0


def rows(outcomes: list[Outcome]) -> list[Row]:
    """One row per (spelling, framework), in the order of the spelling table."""
    table: dict[tuple[str, str], Row] = {}
    for outcome in outcomes:
        program = outcome.program
        row = table.setdefault((program.spelling, program.framework), Row(program.spelling, program.framework))
        row.n += 1
        row.agree += outcome.agree
        row.bug_n += program.reuse
        row.bug_agree += program.reuse and outcome.agree
        row.split_n += program.split
        row.split_agree += program.split and outcome.agree
        row.gap = row.gap or program.gap
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
    """A Markdown table: spelling, framework, n, agree, rate, the programs with the bug alone, those
    spanning several modules alone, and the status (baseline or road, and the known gap)."""
    lines = ["| spelling | framework | n | agree | rate | with the bug: agree/n | several modules: agree/n | status |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in rows(outcomes):
        status = "baseline" if BY_NAME[row.spelling].baseline else "road"
        gap = gap_note(row.spelling, row.framework)
        if gap:
            status += f", known gap: {gap}"
        lines.append(f"| {row.spelling} | {row.framework} | {row.n} | {row.agree} | {row.rate:.3f} | "
                     f"{row.bug_agree}/{row.bug_n} | {row.split_agree}/{row.split_n} | {status} |")
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
