"""The language server's checking processes (`worker`), and the time limit of a job.

Why processes: a check is CPU-bound Python. On a thread it cannot be stopped, and it holds the GIL
the server needs to read messages and answer hovers; a pathological document (robustness review
H2: five lines that take minutes) froze the whole server. In a process, a job over its time limit
is stopped by ending the process; a fresh one takes its place, and the caller gets `CheckStopped`.

A process counts as available only once it has imported and warmed up (it sends a first frame
then), so the time limit measures the job, not a start-up. Jobs with a key (a hover's document)
prefer an idle process that handled that key lately: it keeps the analysis of the document's text.

A caller that is cancelled (the document changed or closed, the editor cancelled a hover) stops a
job that has run for `grace` seconds already; a younger job may run on until `grace` and its answer
is dropped, because a new process costs more than the rest of a short check.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from layerlint.server.worker import HOVER_CACHE, read_frame, write_frame

logger = logging.getLogger("layerlint.server")

SIZE = 2  # one slow document holds one process; the others keep the rest
TIME_LIMIT = 10.0  # seconds a job may run
GRACE = 1.0  # a cancelled job younger than this runs to its end
START_FAILURES = 3  # processes in a row that died before being ready: give up


class CheckStopped(Exception):
    """The job ran past its time limit; its process was replaced."""

    def __init__(self, seconds: float):
        super().__init__(f"stopped after {seconds:g} s")
        self.seconds = seconds


class WorkerFailed(Exception):
    """The job raised, or its process died, or no process could be started."""


class _Process:
    """One worker process, used by one job at a time."""

    def __init__(self) -> None:
        # `-m` puts the working folder first on sys.path. Run where the layerlint package lives, so
        # a `tokenize.py` or `ast.py` in the user's project (the usual working folder of an editor's
        # server) is never imported in its place.
        home = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.popen = subprocess.Popen([sys.executable, "-m", "layerlint.server.worker"], cwd=home,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.popen.stdin is not None and self.popen.stdout is not None
        self.requests, self.answers = self.popen.stdin, self.popen.stdout
        self.recent: collections.deque[str] = collections.deque(maxlen=HOVER_CACHE)
        self.expired = False

    def wait_ready(self) -> None:
        """Blocks until the process has warmed up (its first frame)."""
        read_frame(self.answers)

    def exchange(self, request: Any) -> Any:
        """Blocks: sends a request, returns its answer; EOFError/OSError when the process is gone."""
        write_frame(self.requests, request)
        return read_frame(self.answers)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def expire(self) -> None:
        """The job ran out of time: ending the process ends the job (its pipe reaches EOF)."""
        self.expired = True
        if self.alive():
            self.popen.kill()

    def kill(self) -> None:
        if self.alive():
            self.popen.kill()
        try:  # dead first: closing a pipe waits for a thread still reading it
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            logger.warning("worker process %s did not end", self.popen.pid)
        for stream in (self.requests, self.answers):
            try:
                stream.close()
            except OSError:
                pass


class WorkerPool:
    def __init__(self, size: int = SIZE, time_limit: float = TIME_LIMIT, grace: float = GRACE):
        self.size, self.time_limit, self.grace = max(1, size), time_limit, grace
        self.processes: set[_Process] = set()
        self._idle: list[_Process] = []
        self._waiters: collections.deque[asyncio.Future[_Process]] = collections.deque()
        self._io = ThreadPoolExecutor(max_workers=2 * self.size + 2, thread_name_prefix="layerlint-worker-io")
        self._failures = 0
        self._unwatched: list[_Process] = []  # prespawned, before the event loop ran
        self._warm = False  # a process has been ready once
        self.closed = False

    def prespawn(self) -> None:
        """Starts the first process before there is an event loop (while the server imports what
        it needs), so it is warm when the first document arrives; `start` takes it on."""
        if not self._unwatched and not self.processes:
            try:
                self._unwatched.append(_Process())
            except OSError as error:
                logger.error("cannot start a checking process: %s", error)

    def start(self) -> None:
        """Starts the processes (in the running event loop); later calls do nothing. The others
        start once the first is warm: warming up together, on a busy machine, would delay the first
        document's diagnostics."""
        while self._unwatched and not self.closed:
            self._watch(self._unwatched.pop())
        wanted = self.size if self._warm else 1
        while not self.closed and len(self.processes) < wanted and self._failures < START_FAILURES:
            self._spawn()

    async def call(self, kind: str, arguments: tuple[Any, ...], key: str | None = None,
                   limit: float | None = None) -> Any:
        """Runs one job in a process and returns its value (see `worker` for the kinds). Raises
        CheckStopped past the time limit, WorkerFailed when the job raised or the process died."""
        limit = self.time_limit if limit is None else limit
        process = await self._acquire(key)
        loop = asyncio.get_running_loop()
        started = loop.time()
        future = loop.run_in_executor(self._io, process.exchange, (kind, arguments))
        future.add_done_callback(_retrieve)
        timer = loop.call_later(limit, process.expire)  # also for a job whose caller left
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            timer.cancel()
            if loop.time() - started >= self.grace:
                self._replace(process)
            else:  # short jobs end by themselves; one that would not is ended at `grace`
                cutoff = loop.call_later(started + self.grace - loop.time(), process.expire)

                def finished(done: asyncio.Future[Any]) -> None:
                    cutoff.cancel()
                    self._finished(process, key, done)

                future.add_done_callback(finished)
            raise
        except Exception:
            pass  # the process died: see _answer
        timer.cancel()
        if process.expired and (future.cancelled() or future.exception() is not None):
            logger.warning("a %s job ran past its time limit of %g s: its process was replaced", kind, limit)
            self._replace(process)
            raise CheckStopped(limit)
        return self._answer(process, key, future)

    def close(self) -> None:
        """Ends every process; blocked and later calls fail."""
        self.closed = True
        for process in list(self.processes) + self._unwatched:
            process.kill()
        self._unwatched.clear()
        self.processes.clear()
        self._idle.clear()
        self._fail_waiters("the server is shutting down")
        self._io.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        return [process.popen.pid for process in self.processes]

    # --- internals -------------------------------------------------------------------------------

    def _answer(self, process: _Process, key: str | None, future: asyncio.Future[Any]) -> Any:
        error = WorkerFailed("cancelled") if future.cancelled() else future.exception()
        if error is not None:  # the pipe broke: the process died (killed, out of memory)
            self._replace(process)
            raise WorkerFailed(f"the checking process ended ({process.popen.poll()}): {error}")
        if process.expired:  # answered just as the time limit ended it
            self._replace(process)
        else:
            self._release(process, key)
        status, value = future.result()
        if status != "ok":
            raise WorkerFailed(value)
        return value

    def _finished(self, process: _Process, key: str | None, future: asyncio.Future[Any]) -> None:
        """A cancelled caller's job ended: its process is free again."""
        if self.closed:
            return
        if process.expired or future.cancelled() or future.exception() is not None:
            self._replace(process)
        else:
            self._release(process, key)

    async def _acquire(self, key: str | None) -> _Process:
        if self.closed:
            raise WorkerFailed("the server is shutting down")
        self.start()
        for dead in [p for p in self._idle if not p.alive()]:  # killed from outside while idle
            self._replace(dead)
        if self._idle:
            chosen = next((p for p in self._idle if key is not None and key in p.recent), self._idle[0])
            self._idle.remove(chosen)
            return chosen
        if not self.processes:
            raise WorkerFailed("no checking process could be started")
        waiter: asyncio.Future[_Process] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result(), None)
            raise

    def _release(self, process: _Process, key: str | None) -> None:
        if self.closed:
            return
        if not process.alive():
            self._replace(process)
            return
        if key is not None:
            if key in process.recent:
                process.recent.remove(key)
            process.recent.append(key)
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(process)
                return
        self._idle.append(process)

    def _replace(self, process: _Process) -> None:
        process.kill()
        self.processes.discard(process)
        if process in self._idle:
            self._idle.remove(process)
        self.start()

    def _spawn(self) -> None:
        try:
            process = _Process()
        except OSError as error:
            logger.error("cannot start a checking process: %s", error)
            self._failures = START_FAILURES
            self._fail_waiters(f"cannot start a checking process: {error}")
            return
        self._watch(process)

    def _watch(self, process: _Process) -> None:
        self.processes.add(process)
        ready = asyncio.get_running_loop().run_in_executor(self._io, process.wait_ready)
        ready.add_done_callback(lambda f: self._ready(process, f))

    def _ready(self, process: _Process, future: asyncio.Future[Any]) -> None:
        if self.closed or process not in self.processes:
            return
        if future.cancelled() or future.exception() is not None:
            self._failures += 1
            logger.error("a checking process ended while starting (%s)", process.popen.poll())
            self.processes.discard(process)
            process.kill()
            if self._failures >= START_FAILURES and not self.processes:
                self._fail_waiters("the checking processes could not be started; see the server's log")
            self.start()
            return
        self._failures = 0
        self._warm = True
        self._release(process, None)
        self.start()

    def _fail_waiters(self, reason: str) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(WorkerFailed(reason))


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Marks an abandoned job's error as seen (asyncio would log it as never retrieved)."""
    if not future.cancelled():
        future.exception()
