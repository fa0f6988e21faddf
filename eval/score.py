"""Scores `layerlint check` on the evaluation corpus: per rule and overall TP/FP/FN, precision, recall.

A finding is a true positive when a case has `# expect: CODE` on the line layerlint reports for
that code. Every rule runs (`Selection(select=("ALL",))`), but LL003 (info, off by default) is
only counted in a case that expects LL003 somewhere. The analysis is purely static: nothing is
imported or run.

    python eval/score.py            # table, goals and the list of misses
    python eval/score.py --json     # the same, machine-readable
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import CASES_DIR, CRASH_CODES, Case, all_cases  # noqa: E402

from layerlint import Selection, Severity, check_source  # noqa: E402
from layerlint.static.checker import Project  # noqa: E402

RULES = ("LL001", "LL002", "LL003", "LL004", "LL005", "LL006")
GOALS = {  # rule set -> (minimum precision, minimum recall)
    "crashes (LL001+LL006)": (None, 1.0),
    "LL002": (0.95, 0.95),
    "LL004": (0.95, 0.95),
}


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else round(num / den, 4)


def findings(case: Case) -> list:
    if case.package is None:
        found = check_source(case.text, case.name, Selection(select=("ALL",)))
    else:  # the helper modules are read (never imported) through the project rooted above the package
        project = Project(roots=[case.package.parent.resolve()])
        found = check_source(case.text, str(case.path.resolve()), Selection(select=("ALL",)), project=project)
    if "LL003" not in case.codes:
        found = [d for d in found if d.code != "LL003"]
    return found


def score(cases: list[Case] | None = None) -> dict:
    """Per-rule and overall counts, the misses and the goal checks, as a JSON-able dict."""
    cases = all_cases() if cases is None else cases
    counts: dict[str, dict[str, int]] = {}
    misses: list[dict] = []
    negative_findings: list[dict] = []

    def bump(code: str, kind: str) -> None:
        counts.setdefault(code, {"tp": 0, "fp": 0, "fn": 0})[kind] += 1

    for case in cases:
        expected = case.expected_pairs()
        diagnostics = findings(case)
        found = {(d.span.line, d.code) for d in diagnostics}
        for pair in sorted(found & expected):
            bump(pair[1], "tp")
        for line, code in sorted(found - expected):
            bump(code, "fp")
            diag = next(d for d in diagnostics if (d.span.line, d.code) == (line, code))
            misses.append({"case": case.name, "line": line, "kind": "false positive", "code": code,
                           "expected": case.expected.get(line, []), "severity": diag.severity.label,
                           "message": str(diag.message)})
            if case.negative and diag.severity >= Severity.WARNING:
                negative_findings.append({"case": case.name, "line": line, "code": code,
                                          "severity": diag.severity.label})
        for line, code in sorted(expected - found):
            bump(code, "fn")
            misses.append({"case": case.name, "line": line, "kind": "false negative", "code": code,
                           "expected": case.expected.get(line, []),
                           "found": sorted(c for (l, c) in found if l == line),
                           "found_elsewhere": sorted(f"{c}@{l}" for (l, c) in found if c == code)})

    def summary(codes) -> dict:
        tp = sum(counts.get(c, {}).get("tp", 0) for c in codes)
        fp = sum(counts.get(c, {}).get("fp", 0) for c in codes)
        fn = sum(counts.get(c, {}).get("fn", 0) for c in codes)
        return {"tp": tp, "fp": fp, "fn": fn, "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn)}

    all_codes = sorted(set(RULES) | set(counts))
    per_rule = {code: summary([code]) for code in all_codes}
    groups = {"crashes (LL001+LL006)": summary(sorted(CRASH_CODES)), "LL002": per_rule["LL002"],
              "LL004": per_rule["LL004"]}
    goals = []
    for name, (min_p, min_r) in GOALS.items():
        row = groups[name]
        ok = ((min_p is None or (row["precision"] or 0) >= min_p or row["tp"] + row["fp"] == 0)
              and (min_r is None or (row["recall"] if row["recall"] is not None else 1.0) >= min_r))
        goals.append({"goal": name, "min_precision": min_p, "min_recall": min_r, "precision": row["precision"],
                      "recall": row["recall"], "met": ok})
    goals.append({"goal": "no warning/error finding on a negative case", "met": not negative_findings,
                  "violations": len(negative_findings)})
    return {
        "cases": len(cases),
        "positive_cases": sum(1 for c in cases if not c.negative),
        "negative_cases": sum(1 for c in cases if c.negative),
        "per_rule": per_rule,
        "overall": summary(all_codes),
        "goals": goals,
        "negative_findings": negative_findings,
        "misses": misses,
    }


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def render(result: dict) -> str:
    lines = [f"{result['cases']} cases ({result['positive_cases']} positive, {result['negative_cases']} negative)", ""]
    lines.append(f"{'rule':<8} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}")
    rows = list(result["per_rule"].items()) + [("overall", result["overall"])]
    for code, row in rows:
        lines.append(f"{code:<8} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} {_fmt(row['precision']):>10} "
                     f"{_fmt(row['recall']):>8}")
    lines += ["", "goals:"]
    for goal in result["goals"]:
        mark = "met    " if goal["met"] else "NOT MET"
        detail = ""
        if "recall" in goal:
            detail = f" (precision {_fmt(goal['precision'])}, recall {_fmt(goal['recall'])})"
        elif goal.get("violations"):
            detail = f" ({goal['violations']} findings)"
        lines.append(f"  [{mark}] {goal['goal']}{detail}")
    lines += ["", f"misses ({len(result['misses'])}):"]
    for miss in result["misses"]:
        where = f"{CASES_DIR.relative_to(CASES_DIR.parent.parent).as_posix()}/{miss['case']}:{miss['line']}"
        if miss["kind"] == "false negative":
            found = ", ".join(miss["found"]) or "nothing"
            elsewhere = f"; {miss['code']} reported at {', '.join(miss['found_elsewhere'])}" if miss["found_elsewhere"] else ""
            lines.append(f"  FN {where}: expected {miss['code']}, found {found} on that line{elsewhere}")
        else:
            expected = ", ".join(miss["expected"]) or "nothing"
            lines.append(f"  FP {where}: expected {expected}, found {miss['code']} [{miss['severity']}]: "
                         f"{miss['message'][:110]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    result = score()
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
