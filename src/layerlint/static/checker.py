"""Checking source text and trees of files: parse once, collect facts, run the selected rules, honour
`# noqa`. Every failure to check a file becomes an LL9xx diagnostic; the run always goes on."""

from __future__ import annotations

import gc
import io
import os
import re
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from layerlint.diagnostics import Diagnostic, could_not_check
from layerlint.static import budget, notebook, problems
from layerlint.static.analyzer import Analyzer
from layerlint.static.classes import ClassInfo
from layerlint.static.rules import ALL_RULES, Rule
from layerlint.static.rules.base import RuleContext
from layerlint.static.cache import Cache
from layerlint.static.prefilter import may_hold_findings
from layerlint.static.source import TooBigToParse, UnreadableSource, decode, parse, read, read_bytes, split_lines

SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".venv", "venv", ".env", "env", ".tox", ".nox",
    "build", "dist", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
    "site-packages", ".ipynb_checkpoints", ".layerlint_cache",
})
NOTEBOOK_SUFFIX = ".ipynb"
PYTHON_SUFFIXES = (".py", ".pyi", NOTEBOOK_SUFFIX)
PARALLEL_THRESHOLD = 16  # fewer files than twice this are checked in-process: workers cost a start-up
NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass(frozen=True)
class Selection:
    """Which codes run, ruff-style: `select` and `ignore` take codes or prefixes (`LL0`, `LL`, `ALL`)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    def enabled(self, rule: type[Rule]) -> bool:
        if self._matches(rule.code, self.ignore):
            return False
        if self.select is None:
            return rule.enabled_by_default
        return self._matches(rule.code, self.select)

    @staticmethod
    def _matches(code: str, patterns: Iterable[str]) -> bool:
        return any(p.upper() == "ALL" or code.startswith(p.upper()) for p in patterns)

    def rules(self) -> list[Rule]:
        return [rule() for rule in ALL_RULES if self.enabled(rule)]


@dataclass
class Project:
    """The checked tree, so a class can inherit from a layer class defined in another file of it."""

    roots: list[Path] = field(default_factory=list)
    _analyzers: dict[Path, Analyzer | None] = field(default_factory=dict)
    reads: set[str] = field(default_factory=set)  # other files the current check looked into

    def module_name(self, path: Path) -> str:
        for root in self.roots:
            try:
                relative = path.resolve().relative_to(root)
            except ValueError:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            return ".".join(parts)
        return path.stem

    def find_class(self, qualified: str) -> ClassInfo | None:
        module, _, name = qualified.rpartition(".")
        for root in self.roots:
            base = root.joinpath(*module.split(".")) if module else root
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                analyzer = self._analyzer(candidate)
                if analyzer is not None:
                    self.reads.add(str(candidate))
                if analyzer is not None and name in analyzer.classes:
                    return analyzer.classes[name]
        return None

    def _analyzer(self, path: Path) -> Analyzer | None:
        if path not in self._analyzers:
            self._analyzers[path] = None  # against import cycles
            try:
                tree = parse(read(str(path)).text, str(path))
            except (UnreadableSource, SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            analyzer = Analyzer(tree, str(path), self.module_name(path), self.find_class)
            analyzer.collect()
            self._analyzers[path] = analyzer
        return self._analyzers[path]


def noqa_lines(text: str) -> dict[int, frozenset[str] | None]:
    """Line -> codes silenced there (`None`: all). Read from real comments, not from strings."""
    found: dict[int, frozenset[str] | None] = {}
    if "noqa" not in text:
        return found
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                match = NOQA.search(token.string)
                if match:
                    codes = match.group("codes")
                    found[token.start[0]] = frozenset(re.split(r"[\s,]+", codes.upper())) if codes else None
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _silenced(diagnostic: Diagnostic, noqa: dict[int, frozenset[str] | None]) -> bool:
    if diagnostic.span.line not in noqa:
        return False
    codes = noqa[diagnostic.span.line]
    return codes is None or diagnostic.code in codes


def check_source(text: str, path: str = "<string>", selection: Selection | None = None,
                 project: Project | None = None, fixes: bool = True) -> list[Diagnostic]:
    """All findings for one module's source text, sorted by position. `fixes=False` skips building
    the fixes (a libcst parse per finding), for callers that only show the findings."""
    selection = selection or Selection()
    try:
        tree = parse(text, path)
    except SyntaxError as error:
        return [problems.syntax_error(path, error)]
    except RecursionError:
        return [problems.unreadable(path, "nested too deeply to parse")]
    except TooBigToParse as error:
        return [problems.unreadable(path, str(error))]
    except (ValueError, MemoryError) as error:
        return [problems.unreadable(path, f"cannot be parsed: {type(error).__name__}: {error}")]
    try:
        with budget.active(budget.Budget()):  # the parse is bounded by the guard above
            module = project.module_name(Path(path)) if project else ""
            analyzer = Analyzer(tree, path, module, project.find_class if project else None, text)
            facts = analyzer.run()
        # The rules are bounded in work only: their time goes mostly into building fixes (a libcst
        # parse each), which grows with the findings, not with how pathological the code is.
        with budget.active(budget.Budget(time_limit=None)):
            context = RuleContext(path, text, split_lines(text), fixes)
            found: dict[tuple, Diagnostic] = {}
            for rule in selection.rules():
                for diagnostic in rule.check(facts, context):
                    found.setdefault((diagnostic.code, diagnostic.span), diagnostic)
    except budget.BudgetExceeded as exceeded:
        return [problems.budget_exceeded(path, exceeded.reason)]
    except RecursionError:
        return [problems.unreadable(path, "nested too deeply to analyse")]
    except Exception as error:  # a bug of ours must not stop the run: it is reported as LL903
        return [problems.internal_error(path, error)]
    if not found:
        return []
    noqa = noqa_lines(text)  # tokenizing costs: only when there is something to silence
    return sorted((d for d in found.values() if not _silenced(d, noqa)), key=lambda d: d.sort_key)


def discover(paths: Sequence[str], exclude: Callable[[Path], bool] | None = None) -> Iterator[tuple[str, str | None]]:
    """Files to check, in a stable order, as (path, problem): explicit files are always checked;
    folders are walked for Python files and notebooks, skipping virtual-env, build, cache and VCS
    folders, and not following symbolic links (no loops, nothing outside what was given)."""
    for given in paths:
        if os.path.isfile(given):
            yield given, None
            continue
        if not os.path.exists(given):
            yield given, "no such file or directory"
            continue
        for folder, subfolders, files in os.walk(given, onerror=None):
            subfolders[:] = sorted(d for d in subfolders
                                   if d not in SKIPPED_DIRECTORIES and not d.endswith(".egg-info")
                                   and not os.path.islink(os.path.join(folder, d)))
            for name in sorted(files):
                if name.endswith(PYTHON_SUFFIXES):
                    path = os.path.join(folder, name)
                    if os.path.islink(path):  # it may lead outside what was given: only when named
                        continue
                    if exclude is None or not exclude(Path(path)):
                        yield path, None


def check_file(path: str, selection: Selection | None = None, project: Project | None = None,
               fixes: bool = True) -> list[Diagnostic]:
    """Findings for one file; a file that cannot hold one (see `prefilter`) is not even parsed."""
    try:
        data = read_bytes(path)
        if b"\x00" in data:
            raise UnreadableSource("binary file (contains NUL bytes)")
        if path.endswith(NOTEBOOK_SUFFIX):  # JSON first: a broken notebook is reported, not skipped
            book = notebook.load(data)
            if not may_hold_findings(book.text.encode()):
                return []
            return notebook.remap(check_source(book.text, path, selection, project, fixes), book)
        if not may_hold_findings(data):
            return []
        text = decode(data).text
    except UnreadableSource as error:
        return [problems.unreadable(path, str(error))]
    return check_source(text, path, selection, project, fixes)


_worker_project: Project | None = None


def _start_worker(roots: list[Path]) -> None:
    global _worker_project
    _worker_project = Project(roots=roots)


def tune_garbage_collection() -> None:
    """For a process that only checks: every parse makes many objects, and with the default
    thresholds each young collection keeps rescanning the ASTs and facts held for the run (half of a
    cold check's time on large trees). Fewer, larger collections; what exists now is never rescanned."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _start_checking_process(roots: list[Path]) -> None:
    tune_garbage_collection()
    _start_worker(roots)


def _check_in_worker(job: tuple[str, Selection, bool]) -> tuple[list[Diagnostic], list[str]]:
    project = _worker_project or Project()
    project.reads = set()
    return check_file(job[0], job[1], project, job[2]), sorted(project.reads)


def _roots(paths: Sequence[str]) -> list[Path]:
    return [Path(p).resolve() if os.path.isdir(p) else Path(p).resolve().parent for p in paths]


def check_paths(paths: Sequence[str] = (".",), selection: Selection | None = None,
                progress: Callable[[int, int | None], None] | None = None, jobs: int = 1,
                cache: Cache | None = None, configure: Callable[[str], Any] | None = None,
                fixes: bool = True) -> list[Diagnostic]:
    """Findings for every Python file under `paths`, in path order whatever the number of jobs.

    `configure(path)`, when given, returns the file's `layerlint.config.Settings` (its selection,
    exclusions, severity overrides and allow-list), replacing `selection`."""
    selection = selection or Selection()
    results: dict[str, list[Diagnostic]] = {}
    exclude = (lambda p: configure(str(p)).excluded(str(p))) if configure else None
    files = list(discover(paths, exclude))
    selections = {path: configure(path).selection(path) if configure else selection for path, _ in files}
    todo = []
    for path, problem in files:
        if problem is not None:
            results[path] = [problems.unreadable(path, problem)]
        elif cache is not None and (cached := cache.lookup(path, f"{selections[path]!r}{fixes}")) is not None:
            results[path] = cached
        else:
            todo.append(path)
    done = len(files) - len(todo)
    for path, (diagnostics, reads) in _run([(p, selections[p], fixes) for p in todo], _roots(paths), jobs):
        results[path] = diagnostics
        if cache is not None and not any(could_not_check(d) for d in diagnostics):
            cache.store(path, diagnostics, reads, f"{selections[path]!r}{fixes}")
        done += 1
        if progress is not None:
            progress(done, len(files))
    if cache is not None:
        cache.save()
    if configure is not None:
        return [d for path, _ in files for d in configure(path).apply(results[path])]
    return [d for path, _ in files for d in results[path]]


def _run(jobs_to_do: list[tuple[str, Selection, bool]], roots: list[Path],
         jobs: int) -> Iterator[tuple[str, tuple[list[Diagnostic], list[str]]]]:
    """Checks files in this process or in `jobs` worker processes, yielding as results come in."""
    if jobs <= 1 or len(jobs_to_do) < 2 * PARALLEL_THRESHOLD:
        _start_worker(roots)
        for job in jobs_to_do:
            yield job[0], _check_in_worker(job)
        return
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_checking_process,
                                                initargs=(roots,)) as pool:
        chunk = max(1, min(64, len(jobs_to_do) // (jobs * 8)))
        yield from zip((job[0] for job in jobs_to_do), pool.map(_check_in_worker, jobs_to_do, chunksize=chunk))
