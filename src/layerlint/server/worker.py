"""A checking process of the language server: `python -m layerlint.server.worker`.

The server runs every check and hover analysis in a few of these processes (see `pool`), so a
document whose analysis takes minutes can be stopped by ending its process: a thread cannot be
stopped in Python, and a CPU-bound thread would hold the GIL the server needs to read messages.

The protocol is private to the server: frames of a 4-byte big-endian length and a pickle, over the
process's stdin and stdout. The process sends `("ready", pid)` once warmed up. A request is `(kind, arguments)`; the answer is `("ok", value)` or
`("error", "Type: message")`. Kinds:

    check  (text, path, FileSettings, fixes, workspace folders) -> list[Diagnostic]  (api.check_text)
    hover  (text, path, line, column)         -> HoverResult | None (line 1-based, column 0-based)

Like `layerlint check`, it parses the text and never imports or runs it.
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
import sys
import threading
import time
from collections import OrderedDict
from typing import IO, Any

from layerlint import gc_pause

HEADER = struct.Struct(">I")
PARENT_POLL = 1.0  # seconds between checks that the server is still alive
HOVER_CACHE = 4  # documents whose analysis is kept for the next hover


# --- framing (both sides) -------------------------------------------------------------------------


def write_frame(stream: IO[bytes], value: Any) -> None:
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next value, or raises EOFError when the other side is gone."""
    header = _read_exactly(stream, HEADER.size)
    return pickle.loads(_read_exactly(stream, HEADER.unpack(header)[0]))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) < size:
        raise EOFError("the other process closed the pipe")
    return data


# --- the work -------------------------------------------------------------------------------------


class Worker:
    """Answers requests; keeps the last few hover analyses (a hover comes in runs over one text)."""

    def __init__(self) -> None:
        self.analyses: OrderedDict[str, tuple[str, Any]] = OrderedDict()

    def answer(self, request: Any) -> tuple[str, Any]:
        try:
            kind, arguments = request
            return "ok", getattr(self, "do_" + kind)(*arguments)
        except Exception as error:  # reported to the server, which logs it; the process goes on
            return "error", f"{type(error).__name__}: {error}"

    def do_check(self, text: str, path: str, settings: Any, fixes: bool, roots: tuple[str, ...] = ()) -> list[Any]:
        from layerlint import api

        with gc_pause.paused():  # a collection in mid-check doubles the latency of that keystroke
            return api.check_text(text, path, settings=settings, fixes=fixes, project=_project(path, roots))

    def do_hover(self, text: str, path: str, line: int, column: int) -> Any:
        from layerlint.server.hover import Analysis, hover

        cached = self.analyses.get(path)
        if cached is None or cached[0] != text:
            cached = (text, Analysis.of(text, path))
            self.analyses[path] = cached
        self.analyses.move_to_end(path)
        while len(self.analyses) > HOVER_CACHE:
            self.analyses.popitem(last=False)
        analysis = cached[1]
        return None if analysis is None else hover(analysis, line, column)


def _project(path: str, workspace: tuple[str, ...]) -> Any:
    """Where the classes a document inherits from are looked up, as `layerlint check .` in the
    workspace would (robustness review row 138, E16): above the document's package, and the
    workspace folders holding it (for packages without `__init__.py`). Made anew for each check, so
    a parent module saved since is read again; None for a document that is not a file."""
    if not os.path.isabs(path):
        return None
    from pathlib import Path

    from layerlint.api import project_roots
    from layerlint.static.checker import Project

    roots = project_roots([path])
    for folder in workspace:
        try:
            root, document = Path(folder).resolve(), Path(path).resolve()
        except (OSError, RuntimeError):  # a symbolic link loop
            continue
        if root not in roots and document.is_relative_to(root):
            roots.append(root)
    return Project(roots=roots)


def warm_up() -> None:
    """Imports and runs once what the first check and hover need, before the first request."""
    text = ("from keras import layers\n\nclass M(layers.Layer):\n    def __init__(self):\n"
            "        super().__init__()\n        self.bn = layers.BatchNormalization()\n\n"
            "    def call(self, x):\n        return self.bn(x)\n")
    worker = Worker()
    worker.do_check(text, "<warm-up>", None, False)
    worker.do_hover(text, "<warm-up>", 6, 14)
    import layerlint.catalog.probe  # noqa: F401  (the hover's verdict text)


def _exit_with_parent(parent: int) -> None:
    """A worker outlives a killed server only until this notices: an orphan in the middle of a
    minutes-long check would not read its closed stdin before the check ends."""
    while True:
        time.sleep(PARENT_POLL)
        if os.getppid() != parent:
            os._exit(0)


def main() -> int:
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # the pipe carries frames only
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    try:
        warm_up()
        from layerlint.api import tune_garbage_collection

        tune_garbage_collection()  # what is loaded now is never rescanned
    except Exception as error:
        print(f"layerlint worker: warming up failed: {error}", file=sys.stderr)
    try:
        serve(requests, answers)
    except (EOFError, BrokenPipeError):  # the server ended or replaced this process
        pass
    return 0


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    write_frame(answers, ("ready", os.getpid()))
    worker = Worker()
    while True:
        request = read_frame(requests)
        answer = worker.answer(request)
        try:
            write_frame(answers, answer)
        except (pickle.PicklingError, TypeError, AttributeError) as error:  # raised before writing
            write_frame(answers, ("error", f"the answer cannot be sent: {error}"))
        del answer
        if isinstance(request, tuple) and request[:1] == ("check",):
            # Checks run with collection paused; the garbage goes now, while the editor reads the
            # answer (about 10-30 ms for a 2,000-line file; the next check then runs about 15%
            # faster, in warm memory). Not after a hover: the next one usually follows at once.
            gc.collect()


if __name__ == "__main__":
    sys.exit(main())
