"""Wall time of `layerlint probe` per framework, start-up included, against the goals of issue 3
(Keras 3 on TensorFlow <= 20 s, tf_keras <= 15 s, torch.nn <= 5 s), with the baseline of the same run:
a process that only imports the framework (the part of the time no probe can avoid).

    python bench/probe_speed.py [--framework keras|tf_keras|torch ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time

GOALS = {"keras": 20.0, "tf_keras": 15.0, "torch": 5.0}
MODULES = {"keras": "keras", "tf_keras": "tf_keras", "torch": "torch"}


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", action="append", choices=sorted(GOALS))
    args = parser.parse_args()
    print(f"{'framework':<10}{'import s':>10}{'probe s':>9}{'x import':>10}{'goal s':>8}  verdict")
    for framework in args.framework or list(GOALS):
        module = MODULES[framework]
        if importlib.util.find_spec(module) is None:
            print(f"{framework:<10}  not installed")
            continue
        imported = wall([sys.executable, "-c", f"import {module}; import numpy"])
        probed = wall([sys.executable, "-m", "layerlint", "probe", "--framework", framework, "--format", "json",
                       "--output", os.devnull])
        verdict = "met" if probed <= GOALS[framework] else "NOT MET"
        print(f"{framework:<10}{imported:10.2f}{probed:9.2f}{probed / imported:10.2f}{GOALS[framework]:8.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
