"""How fast `layerlint check` is on the full transformers package (issue 14, "Speed"), as ratios
measured in one run.

The corpus is a PINNED transformers wheel, downloaded from PyPI with `pip download --no-deps` into a
cache folder outside the repository and unpacked there once. Measured in the same run:
  floor    -- `ast.parse` of every .py file once, in this process (reading included);
  cold -j1 -- `layerlint check --no-cache -j 1` (a fresh process);
  cold -j2 -- `layerlint check -j 2` with an empty cache folder (the run that fills it);
  warm     -- again with that cache and nothing changed;
  ruff     -- `ruff check --no-cache` on the same folder, when ruff is installed (for reference);
  per file -- each file checked in this process the way a `check` worker does (`api.check_file` with
              one shared project, findings filtered by the file's settings), under a per-file time
              limit: the files over 0.5 s, the slowest ones, and a profile of the slowest.
Printed: seconds, ratios to the floor and to ruff, files per second, peak resident memory of the
largest process. Goals (issue 14): cold <= 1.0x floor, no file over 0.5 s, peak < 400 MB.

    python bench/transformers_speed.py [--version 5.24.0] [--cache DIR] [--skip-per-file] [--profile K]
                                       [--file-limit SECONDS] [--skip-commands] [--profile-all] [--json FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _measure import floor, measure, python_files

VERSION = "5.24.0"  # pinned: figures are only comparable on the same files
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "layerlint-bench"
SLOW_FILE = 0.5  # seconds: issue 14's limit for one file
# --- the corpus -------------------------------------------------------------------------------------

def corpus(version: str, cache: Path) -> Path:
    """The unpacked `transformers` folder of the pinned wheel, downloaded once."""
    target = cache / f"transformers-{version}"
    done = target / ".unpacked"
    if not done.exists():
        wheels = list(cache.glob(f"transformers-{version}-*.whl"))
        if not wheels:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                            f"transformers=={version}", "-d", str(cache)], check=True)
            wheels = list(cache.glob(f"transformers-{version}-*.whl"))
        shutil.rmtree(target, ignore_errors=True)
        with zipfile.ZipFile(wheels[0]) as wheel:
            members = [name for name in wheel.namelist() if name.startswith("transformers/")]
            wheel.extractall(target, members)
        done.write_text(wheels[0].name)
    return target / "transformers"


# --- measurements -----------------------------------------------------------------------------------

class FileTimeout(BaseException):
    """Raised by the alarm; a BaseException so the checker's own `except Exception` lets it through."""


def _alarm(signum, frame):
    raise FileTimeout


class GcClock:
    """Time spent in garbage collection, from `gc.callbacks`: a full collection over the ASTs a run
    keeps can land in any file and make it look slow."""

    def __init__(self):
        self.total = 0.0
        self._started: float | None = None

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.total += time.perf_counter() - self._started
            self._started = None


def per_file(files: list[str], root: Path, limit: float, again: int = 3, profiler=None) -> list[dict]:
    """Each file checked as a `check` worker checks it, timed one by one; a file over 0.5 s is timed
    `again` more times with the same project (parents already read) and the fastest kept, which tells
    its own cost from a collection or the machine's load."""
    from layerlint import api
    from layerlint.static.checker import Project

    project = Project(roots=api.project_roots([str(root)]))
    api.tune_garbage_collection()
    clock = GcClock()
    gc.callbacks.append(clock)
    previous = signal.signal(signal.SIGALRM, _alarm)
    results = []
    try:
        for path in files:
            collected = clock.total
            if profiler is not None:
                profiler.enable()
            result = timed_check(api, project, path, limit)
            if profiler is not None:
                profiler.disable()
            result["gc"] = clock.total - collected
            if result["seconds"] > SLOW_FILE and not result["timeout"]:
                result["again"] = min(timed_check(api, project, path, limit)["seconds"] for _ in range(again))
            results.append(result)
    finally:
        signal.signal(signal.SIGALRM, previous)
        gc.callbacks.remove(clock)
    print(f"the project holds {len(getattr(project, '_analyzers', {}))} analysed modules at the end")
    return results


def timed_check(api, project, path: str, limit: float) -> dict:
    from layerlint.config import resolve

    settings = resolve(path)
    started = time.perf_counter()
    codes, timed_out = [], False
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        project.reads = set()
        modules = project.modules_read
        codes = [d.code for d in settings.filter(api.check_file(path, settings.selection, project))]
        api.settle_project(project, modules)  # as a `check` worker does after each file
    except FileTimeout:
        timed_out = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"path": path, "seconds": time.perf_counter() - started, "codes": codes, "timeout": timed_out}


def profile(path: str, root: Path, top: int = 12) -> str:
    """Where one file's check spends its time: the functions with the most own time."""
    from layerlint import api
    from layerlint.config import resolve
    from layerlint.static.checker import Project

    project = Project(roots=api.project_roots([str(root)]))
    settings = resolve(path)
    profiler = cProfile.Profile()
    profiler.runcall(api.check_file, path, settings.selection, project)
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start - 1:start + top + 1])


# --- the run ----------------------------------------------------------------------------------------

def command_runs(root: Path, jobs_timeout: float) -> dict[str, dict]:
    layerlint = [sys.executable, "-m", "layerlint", "check", "--no-progress"]
    cache = tempfile.mkdtemp(prefix="layerlint-bench-cache-")
    runs = {
        "cold -j1": measure(layerlint + ["--no-cache", "-j", "1", str(root)], jobs_timeout),
        "cold -j2": measure(layerlint + ["--cache-dir", cache, "-j", "2", str(root)], jobs_timeout),
        "warm": measure(layerlint + ["--cache-dir", cache, "-j", "1", str(root)], jobs_timeout),
    }
    shutil.rmtree(cache, ignore_errors=True)
    ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    if ruff:
        runs["ruff"] = measure([ruff, "check", "--no-cache", "--exit-zero", "--quiet", str(root)], jobs_timeout)
        runs["ruff"]["version"] = subprocess.run([ruff, "--version"], capture_output=True, text=True).stdout.strip()
    return runs


def print_table(results: dict[str, dict], files: int) -> None:
    base = results["floor"]["seconds"]
    base_cpu = results["floor"]["cpu"]
    ruff_time = results.get("ruff", {}).get("seconds")
    print(f"{'run':<10}{'seconds':>9}{'x floor':>9}{'x ruff':>8}{'files/s':>10}{'peak MB':>9}{'exit':>6}"
          f"{'cpu s':>8}{'cpu x floor':>12}")
    for name, run in results.items():
        seconds = run["seconds"]
        versus_ruff = f"{seconds / ruff_time:8.2f}" if ruff_time else f"{'-':>8}"
        peak = f"{run['peak_mb']:9.0f}" if run.get("peak_mb") else f"{'-':>9}"
        code = f"{run['code']:>6}" if "code" in run else f"{'-':>6}"
        cpu = f"{run['cpu']:8.2f}{run['cpu'] / base_cpu:12.2f}" if run.get("cpu") is not None else ""
        print(f"{name:<10}{seconds:9.2f}{seconds / base:9.2f}{versus_ruff}{files / seconds:10.0f}{peak}{code}{cpu}")


def print_files(timings: list[dict], root: Path) -> None:
    slow = [t for t in timings if t["seconds"] > SLOW_FILE or t["timeout"]]
    still = [t for t in slow if t["timeout"] or t.get("again", 0) > SLOW_FILE]
    total = sum(t["seconds"] for t in timings)
    ordered = sorted(timings, key=lambda t: -t["seconds"])
    top10 = sum(t["seconds"] for t in ordered[:10])
    nine = sum(any(c.startswith("LL9") for c in t["codes"]) for t in timings)
    findings = sum(len([c for c in t["codes"] if not c.startswith("LL9")]) for t in timings)
    print(f"\nper file (in process, as a check worker): {total:.2f} s in all, {sum(t['gc'] for t in timings):.2f} s "
          f"of it garbage collection; {len(slow)} files over {SLOW_FILE} s, {len(still)} still over it when timed "
          f"again ({sum(t['timeout'] for t in timings)} hit the limit); the 10 slowest take {top10:.2f} s "
          f"({top10 / total:.0%}); {findings} findings, {nine} files with an LL9xx")
    print(f"  {'first s':>8}{'gc s':>7}{'again s':>8}{'lines':>7}  file")
    for t in ordered[:max(15, len(slow))]:
        again = "LIMIT" if t["timeout"] else f"{t['again']:.3f}" if "again" in t else "-"
        lines = Path(t["path"]).read_bytes().count(b"\n")
        print(f"  {t['seconds']:8.3f}{t['gc']:7.3f}{again:>8}{lines:>7}  {os.path.relpath(t['path'], root.parent)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", default=VERSION, help="the transformers version (pinned by default)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the wheel is kept and unpacked")
    parser.add_argument("--skip-per-file", action="store_true", help="only the command runs")
    parser.add_argument("--skip-commands", action="store_true", help="only the floor and the per-file times")
    parser.add_argument("--profile", type=int, default=2, help="profile the K slowest files")
    parser.add_argument("--profile-all", action="store_true", help="profile the whole per-file pass")
    parser.add_argument("--file-limit", type=float, default=60, help="seconds before one file is given up")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a command run is given up")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    root = corpus(args.version, args.cache)
    files = python_files([str(root)])
    lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
    print(f"corpus: transformers {args.version}, {len(files)} .py files, {lines:,} lines, in {root}", flush=True)
    wall, cpu = floor(files)
    results: dict[str, dict] = {"floor": {"seconds": wall, "cpu": cpu}}
    if not args.skip_commands:
        results.update(command_runs(root, args.timeout))
    print_table(results, len(files))
    if "ruff" in results:
        print(f"({results['ruff']['version']}, default rules)")
    print("goals (issue 14): cold <= 1.00x floor; no file over 0.5 s; peak < 400 MB", flush=True)
    profiler = cProfile.Profile() if args.profile_all else None
    timings = [] if args.skip_per_file else per_file(files, root, args.file_limit, profiler=profiler)
    if profiler is not None:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(25)
        print("\nprofile of the whole per-file pass (own time):\n" + stream.getvalue().split("\n\n", 2)[-1])
    if timings:
        print_files(timings, root)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process after the per-file pass: {peak:.0f} MB")
        for t in sorted(timings, key=lambda t: -t["seconds"])[:args.profile]:
            if not t["timeout"]:
                print(f"\nprofile of {os.path.relpath(t['path'], root.parent)}:\n{profile(t['path'], root)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"version": args.version, "files": len(files), "lines": lines,
                                               "runs": results, "per_file": timings}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
