"""`layerlint check --watch`: check, then check again whenever a checked file or a configuration file
changes. Polling, not file-system events: it needs nothing installed, works the same on every
platform and inside containers, and the result cache makes a re-check cost only the changed files."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence

from layerlint.api import discover
from layerlint.config import CONFIG_FILES

INTERVAL = 0.5  # seconds between looks at the files


def watch(check: Callable[[], int], paths: Sequence[str], interval: float = INTERVAL) -> int:
    """Runs `check` now and after every change under `paths`, until Ctrl-C (exit code 0)."""
    try:
        while True:
            before = snapshot(paths)
            check()
            sys.stdout.flush()
            print(f"-- {time.strftime('%H:%M:%S')}: watching for changes (Ctrl-C stops)", file=sys.stderr, flush=True)
            while snapshot(paths) == before:
                time.sleep(interval)
    except KeyboardInterrupt:
        return 0


def snapshot(paths: Sequence[str]) -> dict[str, tuple[int, int, int] | None]:
    """The stamp of every file a check would read, and of the configuration files that apply to them."""
    stamps: dict[str, tuple[int, int, int] | None] = {}
    folders = set()
    for path, _ in discover(paths):
        stamps[path] = _stamp(path)
        folders.add(os.path.dirname(os.path.abspath(path)))
    for given in paths:
        folders.add(os.path.abspath(given if os.path.isdir(given) else os.path.dirname(given) or "."))
    for folder in _with_ancestors(folders):
        for name in CONFIG_FILES:
            candidate = os.path.join(folder, name)
            stamps[candidate] = _stamp(candidate)
    return stamps


def _with_ancestors(folders: set[str]) -> set[str]:
    found = set()
    for folder in folders:
        while folder not in found:
            found.add(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return found


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino
