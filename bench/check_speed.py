"""How fast `layerlint check` is on real framework code, as ratios measured in one run.

The corpus is the installed sources of keras, keras_hub, tf_keras and torch (whichever are installed).
Measured, each as a fresh process where it is a command:
  floor  -- `ast.parse` of every corpus file in this process (reading included): the cost of merely
            parsing, which a linter that parses everything cannot beat on one core;
  cold   -- `layerlint check` with an empty cache (default --jobs: all cores);
  warm   -- again, with the cache filled and nothing changed;
  touch1 -- again, after one file changed;
  ruff   -- `ruff check --no-cache` on the same folders, when ruff is installed.
Printed: seconds, the ratio to the floor and to ruff, files per second and the peak resident memory of
the largest process. Goals (issue 8): cold <= 0.75x floor and <= 1.0x ruff; warm <= 0.05x floor;
peak memory < 300 MB.

    python bench/check_speed.py [--jobs N] [--repeat K]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from _measure import floor, measure, python_files

PACKAGES = ("keras", "keras_hub", "tf_keras", "torch")
def corpus_roots() -> list[str]:
    roots = []
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)  # finds the folder without importing the package
        if spec is not None and spec.submodule_search_locations:
            roots.append(list(spec.submodule_search_locations)[0])
    return roots


def best(command: list[str], repeat: int, before=None) -> dict:
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(measure(command))
    return min(runs, key=lambda run: run["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts")
    args = parser.parse_args()
    roots = corpus_roots()
    if not roots:
        print("none of keras, keras_hub, tf_keras, torch is installed: no corpus", file=sys.stderr)
        return 2
    files = python_files(roots)
    lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
    print(f"corpus: {len(files)} files, {lines:,} lines from {', '.join(Path(r).name for r in roots)}")
    cache = tempfile.mkdtemp(prefix="layerlint-bench-cache-")
    layerlint = [sys.executable, "-m", "layerlint", "check", "--no-progress", "--jobs", str(args.jobs),
                 "--cache-dir", cache, *roots]
    floors = [floor(files) for _ in range(args.repeat)]
    results: dict[str, dict] = {"floor": {"seconds": min(f[0] for f in floors), "cpu": min(f[1] for f in floors),
                                          "peak_mb": None}}
    results["cold"] = best(layerlint, args.repeat, before=lambda: shutil.rmtree(cache, ignore_errors=True))
    results["warm"] = best(layerlint, args.repeat)
    victim = Path(files[len(files) // 2])
    original = victim.read_bytes()

    def touch() -> None:
        victim.write_bytes(original + b"\n# layerlint bench\n")

    try:
        results["touch1"] = best(layerlint, args.repeat, before=touch)
    finally:
        victim.write_bytes(original)
    ruff = shutil.which("ruff") or shutil.which("ruff", path=os.path.dirname(sys.executable))
    if ruff:
        results["ruff"] = best([ruff, "check", "--no-cache", "--exit-zero", "--quiet", *roots], args.repeat)
    shutil.rmtree(cache, ignore_errors=True)
    base, ruff_time = results["floor"]["seconds"], results.get("ruff", {}).get("seconds")
    # CPU seconds too: on a shared machine the wall ratio moves with the load between the runs, the
    # CPU ratio much less (it counts the work of every process, so -j 2 is not credited for parallelism).
    base_cpu = results["floor"]["cpu"]
    print(f"{'run':<8}{'seconds':>9}{'x floor':>9}{'x ruff':>8}{'files/s':>10}{'peak MB':>9}{'cpu s':>8}{'cpu x floor':>12}")
    for name, run in results.items():
        seconds = run["seconds"]
        versus_ruff = f"{seconds / ruff_time:8.2f}" if ruff_time else f"{'-':>8}"
        peak = f"{run['peak_mb']:9.0f}" if run.get("peak_mb") else f"{'-':>9}"
        cpu = f"{run['cpu']:8.2f}{run['cpu'] / base_cpu:12.2f}" if run.get("cpu") is not None else ""
        print(f"{name:<8}{seconds:9.2f}{seconds / base:9.2f}{versus_ruff}{len(files) / seconds:10.0f}{peak}{cpu}")
    print("goals: cold <= 0.75x floor and <= 1.0x ruff; warm <= 0.05x floor; peak < 300 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
