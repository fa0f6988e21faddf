"""A bound on the work and the time one file's analysis may take.

The abstract interpreter unrolls loops, inlines helpers and compares call events: each is bounded on
its own, but a file can still combine them into more work than anyone wants to wait for (a check in
pre-commit or in the editor must answer). Every step of the analysis charges the budget of the file
being checked; when either bound is passed the analysis stops with `BudgetExceeded`, which the
checker reports as LL904 instead of hanging.

The budget is found through a context variable rather than passed down, so the verdict code shared
with the runtime tracer charges it without knowing about it (and charges nothing there).
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from dataclasses import dataclass, field
from typing import Iterator

from layerlint.diagnostics import Text
from layerlint.i18n import N_

TIME_LIMIT = 10.0  # seconds of analysis per file (CPU time of the checking thread); the parse is not counted
WORK_LIMIT = 20_000_000  # steps (statements walked, expressions evaluated, events compared)
_CLOCK_EVERY = 1024  # steps between two looks at the clock: reading it on every step costs


class BudgetExceeded(Exception):
    """The analysis of one file passed its work or time bound; `reason` says which."""

    def __init__(self, reason: Text):
        super().__init__(str(reason))
        self.reason = reason


@dataclass
class Budget:
    """`None` for a bound means no bound. The defaults are read when the budget is made, so a test or
    an embedding program can change `TIME_LIMIT`/`WORK_LIMIT` for every later file. Time is the
    checking thread's CPU time: a loaded machine (parallel workers, a busy editor) does not turn a
    normal file into LL904, and the server's other threads do not count against it."""

    time_limit: float | None = field(default_factory=lambda: TIME_LIMIT)
    work_limit: int | None = field(default_factory=lambda: WORK_LIMIT)
    spent: int = 0
    started: float = field(default_factory=time.thread_time)
    _next_look: int = field(default_factory=lambda: _CLOCK_EVERY)

    def charge(self, steps: int = 1) -> None:
        self.spent += steps
        if self.spent >= self._next_look:
            self._next_look = self.spent + _CLOCK_EVERY
            self._check()

    def _check(self) -> None:
        if self.work_limit is not None and self.spent > self.work_limit:
            raise BudgetExceeded(Text(N_("more than {limit} analysis steps"), {"limit": self.work_limit}))
        if self.time_limit is not None and time.thread_time() - self.started > self.time_limit:
            raise BudgetExceeded(Text(N_("more than {limit} seconds of analysis"), {"limit": f"{self.time_limit:g}"}))


class _Unbounded(Budget):
    """What is charged outside a checked file (the runtime tracer, tests calling verdicts)."""

    def charge(self, steps: int = 1) -> None:
        self.spent = 0  # what `step` counted here: nothing is bounded, nothing kept


_UNBOUNDED = _Unbounded(time_limit=None, work_limit=None)
_current: contextvars.ContextVar[Budget] = contextvars.ContextVar("layerlint_budget", default=_UNBOUNDED)


def current() -> Budget:
    return _current.get()


def step() -> None:
    """One step charged to the active budget: the interpreter's hot path, called for every statement
    and expression, so one call and no method lookup (the unbounded budget never looks at the clock)."""
    active_budget = _current.get()
    active_budget.spent += 1
    if active_budget.spent >= active_budget._next_look:
        active_budget.charge(0)


@contextlib.contextmanager
def active(budget: Budget) -> Iterator[Budget]:
    """Makes `budget` the one charged by the analysis in this thread until the block ends."""
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


@contextlib.contextmanager
def ensured() -> Iterator[Budget]:
    """The active budget, or a default one for the block when none is: an analysis started outside
    `check_source` (the editor's hover) is bounded too."""
    existing = _current.get()
    if existing is not _UNBOUNDED:
        yield existing
        return
    with active(Budget()) as fresh:
        yield fresh
