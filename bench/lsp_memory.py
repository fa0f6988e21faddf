"""Does `layerlint server` keep its memory over a long editing session? (robustness review H10)

Starts the real server process and types into one model file over stdio, as an editor does: one
incremental didChange per keystroke, a character typed and then deleted, so the text stays the
same size. Every `--every` edits it saves and waits for the diagnostics of the newest version (so
the server has handled everything sent), then reads the resident memory (VmRSS, Linux /proc) of the
server and of its checking processes. The growth counts from the first reading, after `--every`
edits, when imports, caches and the allocator have settled.

    python bench/lsp_memory.py                       # 20,000 edits of examples/keras/article_buggy.py
    python bench/lsp_memory.py --edits 5000 --every 500 --budget-mb 5

Exit status 1 when the server grew by more than `--budget-mb` (default 5).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types

from layerlint.server.client import StdioClient

ARTICLE = Path(__file__).resolve().parent.parent / "examples" / "keras" / "article_buggy.py"


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
    except OSError:
        pass
    return found


def keystroke(version: int) -> types.TextDocumentContentChangePartial:
    """Even versions type `#` at the start of the file, odd ones delete it again."""
    end = 1 if version % 2 else 0
    return types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=end)),
        text="" if version % 2 else "#")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", default=str(ARTICLE), help="the model file to type into")
    parser.add_argument("--edits", type=int, default=20000, help="didChange notifications (default 20,000)")
    parser.add_argument("--every", type=int, default=2000, help="edits between two readings (default 2,000)")
    parser.add_argument("--budget-mb", type=float, default=5.0, help="allowed growth of the server (default 5)")
    parser.add_argument("--server", default=f"{shlex.quote(sys.executable)} -m layerlint.server",
                        help="the server command line (default: this Python's -m layerlint.server)")
    args = parser.parse_args(argv)
    if not os.path.exists("/proc/self/status"):
        print("needs Linux /proc to read the memory of the server", file=sys.stderr)
        return 2

    text = Path(args.file).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edited.py"
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        with StdioClient(shlex.split(args.server)) as client:
            client.initialize()
            client.open(uri, text)
            client.wait_diagnostics(uri, version=1, timeout=60)
            pid, version, readings = client.process.pid, 1, []
            began = time.perf_counter()
            while version - 1 < args.edits:
                for _ in range(min(args.every, args.edits - (version - 1))):
                    version += 1
                    client.change(uri, version, [keystroke(version)])
                mark = client.mark()
                client.save(uri)
                client.wait_diagnostics(uri, version=version, start=mark, timeout=120)
                workers = sum(rss_kb(child) for child in children(pid))
                readings.append((version - 1, rss_kb(pid), workers))
                print(f"{version - 1:>7} edits: server {readings[-1][1] / 1024:7.1f} MB, "
                      f"checking processes {workers / 1024:7.1f} MB", flush=True)
            elapsed = time.perf_counter() - began
            code = client.shutdown()

    first, last = readings[0], readings[-1]
    grown = (last[1] - first[1]) / 1024
    edits = last[0] - first[0]
    print(f"{args.edits} edits in {elapsed:.1f} s; server grew {grown:+.2f} MB over the last {edits} edits "
          f"({(last[1] - first[1]) * 1024 / max(edits, 1):+.0f} bytes per edit); checking processes "
          f"{(last[2] - first[2]) / 1024:+.2f} MB")
    verdict = "met" if grown <= args.budget_mb else "MISSED"
    print(f"goal: the server grows by at most {args.budget_mb:g} MB: {verdict}; server exit code {code}")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
