"""What the speed benchmarks share: the `ast.parse` floor, the measured run of a command in a fresh
process (wall and CPU seconds, peak memory of its largest process), and the corpus's Python files as
`check` discovers them. `bench/check_speed.py` and `bench/transformers_speed.py` import it (a script's
own folder is first on `sys.path`)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time

MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak, "code": result.returncode,
                  "tail": result.stdout.decode(errors="replace")[-400:], "err": result.stderr.decode(errors="replace")[-400:]}))
"""


def python_files(roots: list[str]) -> list[str]:
    from layerlint.api import discover

    return [path for path, problem in discover(roots) if problem is None and path.endswith(".py")]


def floor(files: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `ast.parse` of every file, reading included: the cost of merely
    parsing, which a linter that parses everything cannot beat on one core."""
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        try:
            with open(path, "rb") as handle:
                ast.parse(handle.read())
        except (SyntaxError, ValueError, RecursionError):
            pass
    return time.perf_counter() - start, time.process_time() - cpu


def measure(command: list[str], timeout: float | None = None) -> dict:
    """`command` run as a fresh process: seconds, cpu, peak_mb, code, and the tails of its output."""
    output = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True,
                            check=True, timeout=timeout)
    return json.loads(output.stdout)
