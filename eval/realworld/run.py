"""The realworld benchmark: `layerlint check` on pinned releases of public model libraries, scored
against labels triaged by hand (eval/realworld/labels.json).

    python eval/realworld/run.py                 # download (once), check, score every corpus
    python eval/realworld/run.py timm keras      # only these corpora
    python eval/realworld/run.py --score-only    # score the last results again (no check run)
    python eval/realworld/run.py --results results-main   # keep these findings apart (another version)

Downloads go to $LAYERLINT_REALWORLD_CACHE (default ~/.cache/layerlint-realworld), never into the
repository. The check runs as a subprocess (`python -m layerlint check --format json`), with LL003
selected too, so the findings that the severity policy demoted to info are scored as well.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from corpora import BY_NAME, CORPORA  # noqa: E402
from download import DEFAULT_CACHE, source_folder  # noqa: E402
from scorer import load_labels, render, score_corpus  # noqa: E402


def check(folder: Path, jobs: int) -> tuple[list[dict], int, float]:
    """Findings (paths relative to the package's parent folder), the number of files, seconds."""
    files = sum(1 for _ in folder.rglob("*.py"))
    command = [sys.executable, "-m", "layerlint", "check", folder.name, "--format", "json", "--lang", "en",
               "--extend-select", "LL003", "--no-cache", "--no-progress", "--jobs", str(jobs)]
    started = time.monotonic()
    # This checkout's layerlint, whatever is installed: the table describes the code beside it.
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run(command, cwd=folder.parent, capture_output=True, text=True,
                          env={**os.environ, "LAYERLINT_LANG": "en", "PYTHONPATH": path})
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"layerlint check failed on {folder} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout or "[]"), files, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", help="corpus names (default: all)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--score-only", action="store_true")
    parser.add_argument("--results", default="results",
                        help="folder under the cache for the findings (keep another layerlint's, e.g. results-main, "
                             "to score it with --score-only)")
    options = parser.parse_args(argv)
    chosen = [BY_NAME[name] for name in options.corpora] if options.corpora else list(CORPORA)
    results_dir = options.cache / options.results
    results_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    labels = load_labels(HERE / "labels.json")
    for corpus in chosen:
        result_file = results_dir / f"{corpus.name}.json"
        if not options.score_only:
            findings, files, seconds = check(source_folder(corpus, options.cache), options.jobs)
            result = {"corpus": corpus.name, "requirement": corpus.requirement, "files": files,
                      "seconds": round(seconds, 1), "findings": findings}
            result_file.write_text(json.dumps(result, indent=1), encoding="utf-8")
        result = json.loads(result_file.read_text(encoding="utf-8"))
        result["reported_bug"] = corpus.reported_bug  # from the corpus list, whenever the findings were stored
        rows.append(score_corpus(result, labels))
    print(render(rows))
    return 0 if all(not row["unlabelled"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
