"""How often `layerlint check` agrees with a real run, on generated programs (issue 14, point 5).

For each framework, N programs spread evenly over the spellings that framework has
(eval/generated/generator.py); each is written as a small package, checked with
`layerlint.check_paths(..., Overrides(select=("ALL",)))` (nothing imported), then imported, built
and run twice under `layerlint.tracing()` in this process to get the truth (eval/generated/runner.py).
Printed: the agreement table per spelling and framework, the overall rates (all programs, outside
the known gaps, baseline spellings, per framework), the first disagreements outside the known gaps,
and where the time went. Goals (issue 14): >= 0.95 overall, no spelling below 0.90, on >= 2,000
programs per framework.

    TF_CPP_MIN_LOG_LEVEL=3 python bench/generated_agreement.py [--per-framework N] [--frameworks torch,keras]
                                                               [--seed S] [--json FILE]

One process, one framework after another (the machine is shared). Measured here (eval/README.md):
2,000 programs per framework in 7 to 21 min of wall time (the machine's load) and 4.5 to 5 min of
CPU, of which `check_paths` is 6-35 s per framework and the real runs the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))

from generated import generator, report, runner  # noqa: E402
from generated.vocab import FRAMEWORKS  # noqa: E402


def _progress(framework: str):
    def show(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            print(f"  {framework}: {done}/{total}", file=sys.stderr, flush=True)
    return show


def run(frameworks: list[str], per_framework: int, seed: int) -> tuple[list[runner.Outcome], dict[str, float]]:
    outcomes: list[runner.Outcome] = []
    seconds: dict[str, float] = {}
    for framework in frameworks:
        started = time.perf_counter()
        programs = generator.sample(framework, per_framework, seed)
        outcomes += runner.evaluate(programs, progress=_progress(framework))
        seconds[framework] = time.perf_counter() - started
    return outcomes, seconds


def timing(outcomes: list[runner.Outcome], seconds: dict[str, float]) -> str:
    lines = ["| framework | programs | wall s | check s | run s | programs/s |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for framework, wall in seconds.items():
        chosen = [o for o in outcomes if o.program.framework == framework]
        check = sum(o.check_seconds for o in chosen)
        ran = sum(o.run_seconds for o in chosen)
        lines.append(f"| {framework} | {len(chosen)} | {wall:.1f} | {check:.1f} | {ran:.1f} | {len(chosen) / wall:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-framework", type=int, default=2000, metavar="N")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="FILE", help="also write every outcome as JSON")
    args = parser.parse_args(argv)
    frameworks = [f for f in args.frameworks.split(",") if f]
    unknown = set(frameworks) - set(FRAMEWORKS)
    if unknown:
        parser.error(f"unknown framework(s): {', '.join(sorted(unknown))}")
    outcomes, seconds = run(frameworks, args.per_framework, args.seed)
    print(report.table(outcomes), report.summary(outcomes), sep="\n\n")
    shown = report.disagreements(outcomes)
    print("\ndisagreements outside the known gaps, and dishonest programs:\n" + (shown or "none"))
    print("\n" + timing(outcomes, seconds))
    if args.json:
        Path(args.json).write_text(json.dumps([_record(o) for o in outcomes], indent=1), encoding="utf-8")
    return 0


def _record(outcome: runner.Outcome) -> dict:
    p = outcome.program
    return {"program": p.label, "reuse": p.reuse, "kind": p.kind, "gap": p.gap, "split": p.split, "intended": p.intended,
            "truth": outcome.truth, "verdict": outcome.verdict, "codes": list(outcome.codes),
            "agree": outcome.agree, "detail": outcome.detail}


if __name__ == "__main__":
    sys.exit(main())
