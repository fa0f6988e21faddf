"""Summaries of walked functions, so that a helper or a parent constructor is interpreted once per run
rather than once per call site (issue 14, point 2).

A walk of a function (a method inlined on `self`, a helper, a parent's `__init__` reached through
`super()`) is summarised when nothing it did can differ at another call site with the same inputs:

- its inputs are abstract values that compare by value (constants, tensor shapes, tuples of them,
  classes, methods, framework names) or the `self` it runs on;
- it read and wrote only attributes of that `self`, whose values were such plain values too; a
  later call applies it only when those attributes, and the methods the names resolve to, are the
  same on the new `self` (a subclass overriding `_init_weights` gets its own walk);
- it recorded nothing: no layer call, no construction, no alias, no layer built in a forward pass
  (those are facts of the checked file, with its positions), and no walk was cut short by recursion.

The summary keeps what the walk returned, what it wrote on `self`, and the files the project read
for it, which are read again (in the cache's dependencies) wherever the summary is applied. Walks of
modules the project keeps for the run (parents, factories) are shared by every file of the run;
those that involve the checked file's own classes live for that file only. `Project.forget` (a saved
file in the editor or `--watch`) drops the shared ones.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from layerlint.static.values import (NOTHING, ClassValue, ConstValue, ContainerValue, FunctionValue, PartialValue,
                                     QualifiedValue, SelfValue, TensorValue, TupleValue)

if TYPE_CHECKING:
    from layerlint.static.analyzer import Analyzer, _Frame
    from layerlint.static.classes import ClassInfo

MISSING = object()  # an attribute not set yet
SELF = "<self>"  # the `self` a walk runs on, in a key
MAX_PER_KEY = 4  # summaries kept per function and inputs (one per distinct `self` state met)


class _Same:
    """A value compared by identity in a key (a constant that is a parameter's default: `_known_arm`
    treats it differently from an equal constant). Holding it keeps its id from being reused."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


@dataclass
class Summary:
    touched: dict[str, tuple[Any, Any]]  # attribute name -> (its value before the walk, the method it named)
    writes: dict[str, Any]  # attribute name -> its value after the walk
    result: Any
    function: int  # the function summarised
    depth: int | None  # the depth it holds at, when a call in it was cut for depth
    reach: int  # how many frames deeper than its own it walked
    walked: frozenset[int]  # the functions it walked into: a call site where one is running cuts it short
    files: frozenset[str]  # what the project read for it


@dataclass
class _Recording:
    """One walk being summarised: what it touched of its `self`, and whether it stayed pure."""

    owner: "ClassInfo | None"
    touched: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)
    walked: set[int] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    pure: bool = True
    depth_limited: bool = False  # a call in it was past the inline depth: it holds at this depth only
    reach: int = 0  # the deepest frame it walked
    containers: list[tuple[ContainerValue, Any]] = field(default_factory=list)  # read, and their copies
    shared: bool = True  # False once it involves the checked file's own code
    outside: frozenset[int] = frozenset()  # the functions running around it when it started
    stack_bound: bool = False  # a call in it was cut because of what ran around it


@dataclass
class Store:
    """Summaries for one check: the run's shared table (a `Project`'s) and this file's own."""

    shared: dict[Any, list[Summary]] = field(default_factory=dict)
    local: dict[Any, list[Summary]] = field(default_factory=dict)
    note_read: Callable[[str], None] | None = None  # adds a file to the checked file's dependencies
    recordings: list[_Recording] = field(default_factory=list)
    hits: int = 0
    misses: int = 0


_current: contextvars.ContextVar[Store | None] = contextvars.ContextVar("layerlint_summaries", default=None)


@contextlib.contextmanager
def active(store: Store) -> Iterator[Store]:
    token = _current.set(store)
    try:
        yield store
    finally:
        store.recordings.clear()
        _current.reset(token)


def current() -> Store | None:
    return _current.get()


# --- what the interpreter reports while a walk is recorded -------------------------------------------

def read(owner: "ClassInfo", name: str, attributes: dict[str, Any] | None) -> None:
    """`self.name` was looked up on `owner` (before the value is used)."""
    store = _current.get()
    if store is None or not store.recordings:
        return
    for recording in store.recordings:
        _touch(recording, owner, name, attributes)


def wrote(owner: "ClassInfo", name: str, value: Any) -> None:
    """`self.name = value` is about to be stored on `owner`."""
    store = _current.get()
    if store is None or not store.recordings:
        return
    plain = _plain(value)
    for recording in store.recordings:
        _touch(recording, owner, name, owner.attributes)
        recording.written.add(name)
        if not plain:
            recording.pure = False


def cut_off(recursion: bool = True, function: int | None = None) -> None:
    """A call was not walked: it was past `MAX_INLINE_DEPTH`, which depends on the depth of the walk;
    or Python's own stack ran out, which depends on the stack; or it re-entered `function`. A walk that
    re-entered a function it started itself (post_init's helpers in transformers call each other) is
    cut the same way wherever it runs, so it stays summarised (`_applies` refuses it where one of the
    functions it walked is running already); re-entering a function running around it depends on the
    caller, as Python's stack does."""
    store = _current.get()
    if store is not None:
        for recording in store.recordings:
            if not recursion:
                recording.depth_limited = True
            elif function is None or function in recording.outside:
                recording.stack_bound = True


def file_read(path: str) -> None:
    store = _current.get()
    if store is not None:
        for recording in store.recordings:
            recording.files.add(path)


def _touch(recording: _Recording, owner: "ClassInfo", name: str, attributes: dict[str, Any] | None) -> None:
    if owner is not recording.owner:
        recording.pure = False
        return
    if name in recording.touched:
        return
    before = MISSING if attributes is None else attributes.get(name, MISSING)
    if before is not MISSING and not _plain(before):
        recording.pure = False
    if isinstance(before, (ContainerValue, PartialValue)):
        recording.shared = False  # it may come from the checked file
        if isinstance(before, ContainerValue):  # the walk must not append to it: compared at the end
            recording.containers.append((before, _copy(before)))
    method = owner.method(name)
    recording.touched[name] = (_copy(before), None if method is None else (method[0], method[1]))


# --- walking through summaries ----------------------------------------------------------------------

def walk(caller: "Analyzer", analyzer: "Analyzer", function: Any, env: dict[str, Any], frame: "_Frame") -> Any:
    """What `caller._walk_in(analyzer, function, env, frame)` returns, from a summary when one applies."""
    store = _current.get()
    if store is None:
        return caller._walk_in(analyzer, function, env, frame)
    owner, key = _key(caller, analyzer, function, env, frame)
    if key is None:  # walked as it is; an enclosing summary covers it (the hooks record it too)
        for recording in store.recordings:
            recording.reach = max(recording.reach, frame.depth)
            recording.walked.add(id(function))
            recording.shared = recording.shared and analyzer.persistent
        return caller._walk_in(analyzer, function, env, frame)
    for table in (store.shared, store.local):
        for summary in table.get(key, ()):
            if _applies(summary, owner, frame, caller, analyzer):
                store.hits += 1
                return _apply(store, summary, owner, frame.depth)
    store.misses += 1
    return _record(store, key, owner, caller, analyzer, function, env, frame)


def _record(store: Store, key: Any, owner: "ClassInfo | None", caller: "Analyzer", analyzer: "Analyzer",
            function: Any, env: dict[str, Any], frame: "_Frame") -> Any:
    facts = caller.facts  # the facts in effect, which another module's code is lent
    marks = _marks(caller)
    shared = (analyzer.persistent
              and (frame.owner is None or _shared_class(frame.owner)) and _shared_values(*env.values())
              and not any(isinstance(v, PartialValue) for v in env.values()))  # made by which file?
    recording = _Recording(owner, shared=shared, reach=frame.depth,
                           outside=frozenset(frame.active) - {id(function)})
    store.recordings.append(recording)
    try:
        result = caller._walk_in(analyzer, function, env, frame)
    finally:
        store.recordings.pop()
    own = (recording.pure and _marks(caller) == marks and caller.facts is facts and _plain(result)
           and all(_equivalent(read, copy, (set(),)) for read, copy in recording.containers))
    pure = own and not recording.stack_bound
    for outer in store.recordings:  # what the inner walk did, the enclosing ones did too
        outer.pure = outer.pure and own  # (`cut_off` told each walk whether a cut depends on its callers)
        outer.shared = outer.shared and recording.shared
        outer.walked |= recording.walked
        outer.walked.add(id(function))
        outer.reach = max(outer.reach, recording.reach)
        outer.depth_limited = outer.depth_limited or recording.depth_limited
        outer.files |= recording.files
    if not pure:
        return result
    recording.shared = recording.shared and _shared_values(result, *(v for v, _ in recording.touched.values()),
                                                           *(m for _, m in recording.touched.values()))
    attributes = owner.attributes if owner is not None else None
    writes = ({name: _copy(attributes.get(name, MISSING)) for name in recording.written}
              if attributes is not None else {})
    if any(not _shared_values(v) for v in writes.values()):
        recording.shared = False
    summary = Summary(dict(recording.touched), writes, _copy(result), id(function),
                      frame.depth if recording.depth_limited else None, recording.reach - frame.depth,
                      frozenset(recording.walked), frozenset(recording.files))
    table = store.shared if recording.shared else store.local
    kept = table.setdefault(key, [])
    if len(kept) < MAX_PER_KEY:
        kept.append(summary)
    return result


def _max_depth() -> int:
    from layerlint.static.analyzer import MAX_INLINE_DEPTH

    return MAX_INLINE_DEPTH


def _marks(analyzer: "Analyzer") -> tuple:
    facts = analyzer.facts
    return (facts.events, len(facts.events), len(facts.aliased), len(facts.built_in_forward),
            len(analyzer._constructed), len(analyzer._holders))


def _applies(summary: Summary, owner: "ClassInfo | None", frame: "_Frame", caller: "Analyzer",
             analyzer: "Analyzer") -> bool:
    if not summary.walked.isdisjoint(frame.active):
        return False
    if (frame.depth != summary.depth if summary.depth is not None
            else frame.depth + summary.reach >= _max_depth()):
        return False
    if not summary.touched:
        return True
    if owner is None:
        return False
    attributes = owner.attributes
    defaults = (caller._default_ids, analyzer._default_ids)
    for name, (before, method) in summary.touched.items():
        now = MISSING if attributes is None else attributes.get(name, MISSING)
        if not _equivalent(now, before, defaults):
            return False
        found = owner.method(name)
        if (None if found is None else (found[0], found[1])) != method:
            return False
    return True


def _apply(store: Store, summary: Summary, owner: "ClassInfo | None", depth: int) -> Any:
    for recording in store.recordings:  # an enclosing walk being recorded did all this too
        for name in summary.touched:
            if owner is not None:
                _touch(recording, owner, name, owner.attributes)
        recording.written |= summary.writes.keys()
        recording.walked |= summary.walked
        recording.walked.add(summary.function)
        recording.reach = max(recording.reach, depth + summary.reach)
        recording.depth_limited = recording.depth_limited or summary.depth is not None
        recording.files |= summary.files
    if owner is not None and owner.attributes is not None:
        for name, value in summary.writes.items():
            if value is MISSING:
                owner.attributes.pop(name, None)
            else:
                owner.attributes[name] = _copy(value)
    if store.note_read is not None:
        for path in summary.files:
            store.note_read(path)
    return _copy(summary.result)


# --- keys and values --------------------------------------------------------------------------------

def _key(caller: "Analyzer", analyzer: "Analyzer", function: Any, env: dict[str, Any],
         frame: "_Frame") -> tuple["ClassInfo | None", Any]:
    owner: ClassInfo | None = None
    for value in env.values():
        if isinstance(value, SelfValue):
            if owner is not None and value.owner is not owner:
                return None, None
            owner = value.owner
    defaults = (caller._default_ids, analyzer._default_ids)
    parts = []
    for name, value in env.items():
        abstract = _abstract(value, owner, defaults)
        if abstract is None:
            return None, None
        parts.append((name, abstract))
    return owner, (function, analyzer, frame.owner, frame.collecting, frame.repeat, frame.unrolled,
                   frame.step, owner is not None and owner.attributes is None, tuple(parts))


def _abstract(value: Any, owner: "ClassInfo | None", defaults: tuple[set[int], ...]) -> Any:
    if value is NOTHING or isinstance(value, (TensorValue, ClassValue, QualifiedValue)):
        return value
    if isinstance(value, ConstValue):
        if any(id(value) in ids for ids in defaults):
            return _Same(value)
        try:
            hash(value.value)
        except TypeError:
            return _Same(value)
        return ("const", type(value.value), value.value)
    if isinstance(value, SelfValue):
        return SELF if value.owner is owner else None
    if isinstance(value, (FunctionValue, PartialValue)):
        return value if _plain(value) else None
    if isinstance(value, TupleValue):
        items = tuple(_abstract(item, owner, defaults) for item in value.items)
        return None if any(item is None for item in items) else ("tuple", items)
    return None


def _plain(value: Any, depth: int = 0) -> bool:
    """A value a summary may hand to another call site: holding no layer, and immutable or a list or
    dict of such values (copied wherever the summary is applied: a caller may append to it)."""
    if value is NOTHING or value is MISSING or isinstance(value, (TensorValue, ClassValue, QualifiedValue, ConstValue,
                                                                  PartialValue)):
        return True
    if isinstance(value, FunctionValue):  # a method, or a function that closes over no walk's names
        closes_over = value.analyzer is None or id(value.node) in value.analyzer._closures
        return value.owner is not None or not closes_over
    if depth > 8:
        return False
    if isinstance(value, TupleValue):
        return all(_plain(item, depth + 1) for item in value.items)
    if isinstance(value, ContainerValue):
        return value.family is None and all(_plain(item, depth + 1) for item in value.elements())
    return False


def _copy(value: Any) -> Any:
    """A fresh list or dict for a plain container (the immutable values are shared)."""
    if isinstance(value, ContainerValue):
        return ContainerValue([_copy(v) for v in value.items],
                              None if value.mapping is None else {k: _copy(v) for k, v in value.mapping.items()},
                              value.family, value.exact)
    if isinstance(value, TupleValue) and any(isinstance(v, (ContainerValue, TupleValue)) for v in value.items):
        return TupleValue(tuple(_copy(v) for v in value.items))
    return value


def _equivalent(first: Any, second: Any, defaults: tuple[set[int], ...]) -> bool:
    if first is second:
        return True
    if isinstance(first, ConstValue) and isinstance(second, ConstValue):
        if any(id(first) in ids or id(second) in ids for ids in defaults):
            return False
        try:
            return type(first.value) is type(second.value) and bool(first.value == second.value)
        except Exception:
            return False
    if isinstance(first, TupleValue) and isinstance(second, TupleValue):
        return len(first.items) == len(second.items) and all(
            _equivalent(a, b, defaults) for a, b in zip(first.items, second.items))
    if isinstance(first, ContainerValue) and isinstance(second, ContainerValue):
        if first.family is not second.family or first.exact != second.exact or len(first.items) != len(second.items):
            return False
        if (first.mapping is None) != (second.mapping is None):
            return False
        if first.mapping is not None and second.mapping is not None:
            return first.mapping.keys() == second.mapping.keys() and all(
                _equivalent(first.mapping[k], second.mapping[k], defaults) for k in first.mapping)
        return all(_equivalent(a, b, defaults) for a, b in zip(first.items, second.items))
    if isinstance(first, (TensorValue, ClassValue, QualifiedValue, FunctionValue, PartialValue)):
        return type(first) is type(second) and first == second
    return False


def _shared_class(info: "ClassInfo") -> bool:
    return info.analyzer is not None and info.analyzer.persistent


def _shared_function(value: FunctionValue) -> bool:
    if value.owner is not None:
        return _shared_class(value.owner)
    return value.analyzer is not None and bool(value.analyzer.persistent)


def _shared_values(*values: Any) -> bool:
    """Whether values refer only to modules kept for the run (not to the checked file's classes)."""
    for value in values:
        if isinstance(value, tuple) and len(value) == 2 and not isinstance(value, TupleValue):
            if not _shared_class(value[1]):  # a method: (node, the class defining it)
                return False
        elif isinstance(value, ClassValue) and not _shared_class(value.info):
            return False
        elif isinstance(value, FunctionValue) and not _shared_function(value):
            return False
        elif isinstance(value, TupleValue) and not _shared_values(*value.items):
            return False
    return True

