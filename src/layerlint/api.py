"""The one pipeline from files (or a text) to findings and fixes. Every client is a thin layer over it:
`layerlint check` with or without `--fix`/`--diff`, the language server, the flake8 plugin and the
library's `check_paths`.

    paths ─ discover ─┬─ config.resolve(path, overrides) ─ FileSettings (once per file)
                      ├─ cache lookup ─ or ─ read ─ notebook? ─ prefilter ─ static.check_source
                      ├─ FileSettings.filter            (nothing sees a finding before this)
                      └─ with fixing: fix.apply_fixes ─ re-check + filter ─ writes.replace_file

Because the settings are resolved and applied here only, `--fix` cannot rewrite a file that `check`
excludes, split a layer that `allow-shared` accepts, or fix a finding a per-file ignore hides; and the
editor's quick fixes come from the very list it published.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from layerlint import fix  # noqa: F401  (registers the fix builders the rules name)
from layerlint.config import FileSettings, Overrides, SettingsLookup, resolve
from layerlint.diagnostics import Diagnostic, Text, could_not_check
from layerlint.static import notebook, parsed, problems
from layerlint.static.cache import Cache
from layerlint.static.checker import Project, check_source
from layerlint.static.prefilter import may_hold_findings
from layerlint.static.selection import Selection
from layerlint.static.source import UnreadableSource, decode, read_bytes

SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".venv", "venv", ".env", "env", ".tox", ".nox",
    "build", "dist", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
    "site-packages", ".ipynb_checkpoints", ".layerlint_cache",
})
NOTEBOOK_SUFFIX = ".ipynb"
PYTHON_SUFFIXES = (".py", ".pyi", NOTEBOOK_SUFFIX)
PARALLEL_THRESHOLD = 16  # fewer files than twice this are checked in-process: workers cost a start-up

Progress = Callable[[int, "int | None"], None]


@dataclass
class FileResult:
    """What one file came to. `diagnostics` are what the user sees: filtered by the file's settings
    and, when fixing, what remains after the fixes."""

    path: str
    diagnostics: list[Diagnostic]
    applied: list[Diagnostic] = field(default_factory=list)  # findings whose fix was applied (or would be)
    diff: str = ""  # unified diff of the fix, when one was made
    write_error: Text | None = None  # why the fixed text was not written


# --- one text ------------------------------------------------------------------------------------

def check_text(text: str, path: str = "<string>", overrides: Overrides = Overrides(), *,
               settings: FileSettings | None = None, fixes: bool = False,
               project: Project | None = None) -> list[Diagnostic]:
    """The findings of one module's text as `layerlint check` would report them for `path` (its
    configuration applies; a path the configuration excludes has none, as ruff's editor server and
    `--force-exclude` do). For editors, flake8 and standard input; the text is never run."""
    settings = settings or resolve(path, overrides)
    if settings.excluded:
        return []
    return settings.filter(check_source(text, path, settings.selection, project, fixes))


# --- files ---------------------------------------------------------------------------------------

def check_paths(paths: Sequence[str] = (".",), overrides: Overrides = Overrides(), *, jobs: int = 1,
                cache: Cache | None = None, progress: Progress | None = None,
                fixes: bool = False) -> list[FileResult]:
    """Every Python file and notebook under `paths`, in path order whatever the number of jobs.
    Raises `config.ConfigError` for a configuration that cannot be used."""
    return _check_run(_Run(paths, overrides), jobs, cache, progress, fixes)


def _check_run(run: _Run, jobs: int, cache: Cache | None, progress: Progress | None,
               fixes: bool) -> list[FileResult]:
    files = list(run.discover())
    results: dict[str, list[Diagnostic]] = {}
    todo = []
    for path, problem in files:
        if problem is not None:
            results[path] = [problems.unreadable(path, problem)]
        elif cache is not None and (found := cache.lookup(path, run.cache_key(path, fixes))) is not None:
            results[path] = found
        else:
            todo.append(path)
    done = len(files) - len(todo)
    jobs_to_do = [(path, run.settings(path).selection, fixes) for path in todo]
    for path, (diagnostics, reads) in _check_files(jobs_to_do, run.roots, jobs):
        results[path] = diagnostics
        if cache is not None and not any(could_not_check(d) for d in diagnostics):
            cache.store(path, diagnostics, reads, run.cache_key(path, fixes))
        done += 1
        if progress is not None:
            progress(done, len(files))
    if cache is not None:
        cache.save()
    return [FileResult(path, run.settings(path).filter(results[path])) for path, _ in files]


def fix_paths(paths: Sequence[str] = (".",), overrides: Overrides = Overrides(), *, unsafe: bool = False,
              write: bool = True, jobs: int = 1, cache: Cache | None = None,
              progress: Progress | None = None) -> list[FileResult]:
    """`check --fix` (write=True) and `check --diff` (write=False): the files are checked as by
    `check_paths` (cache and jobs included); those with an applicable fix are fixed to a fixpoint,
    every re-check filtered by the same settings, and written with `writes.replace_file`."""
    from layerlint.fix.engine import applicable

    run = _Run(paths, overrides)
    results = _check_run(run, jobs, cache, progress, fixes=True)
    project = Project(roots=run.roots)
    for result in results:
        if any(applicable(d, unsafe) for d in result.diagnostics):
            _fix_file(result, run.settings(result.path), unsafe, write, project)
    return results


def _fix_file(result: FileResult, settings: FileSettings, unsafe: bool, write: bool, project: Project) -> None:
    from layerlint.writes import WriteRefused, replace_file

    try:
        data = read_bytes(result.path)
    except UnreadableSource as error:
        result.diagnostics = [problems.unreadable(result.path, str(error))]
        return
    new, fixed = fix_bytes(data, result.path, settings=settings, unsafe=unsafe, project=project)
    result.diagnostics, result.applied, result.diff = fixed.diagnostics, fixed.applied, fixed.diff
    if new is None or not write:
        return
    try:
        replace_file(result.path, new, data)
    except OSError as refused:  # WriteRefused, or a rename the system refused
        # Nothing was written: the findings are all still there, and the user must see them.
        result.write_error = refused.reason if isinstance(refused, WriteRefused) else Text(
            "{reason}", {"reason": refused.strerror or str(refused)})
        result.applied = []
        result.diagnostics = check_bytes(data, result.path, settings=settings, project=project).diagnostics


def check_bytes(data: bytes, path: str, overrides: Overrides = Overrides(), *, settings: FileSettings | None = None,
                fixes: bool = False, project: Project | None = None) -> FileResult:
    """A file's contents (a module or a notebook) as `check` reports them for `path`; for standard
    input (`layerlint check - --stdin-filename PATH`), where nothing is read from disk."""
    settings = settings or resolve(path, overrides)
    if settings.excluded:
        return FileResult(path, [])
    return FileResult(path, settings.filter(_check_data(data, path, settings.selection, project, fixes)))


def fix_bytes(data: bytes, path: str, overrides: Overrides = Overrides(), *, settings: FileSettings | None = None,
              unsafe: bool = False, project: Project | None = None) -> tuple[bytes | None, FileResult]:
    """The fixed contents (None when nothing changed) and what was fixed and what remains. Each
    re-check of the fixed text is filtered by the same settings as the first check."""
    from layerlint.fix.engine import apply_fixes, unified_diff
    from layerlint.fix.positions import parses

    settings = settings or resolve(path, overrides)
    first = check_bytes(data, path, settings=settings, project=project)
    if settings.excluded or any(could_not_check(d) for d in first.diagnostics):
        return None, first
    book = notebook.load(data) if path.endswith(NOTEBOOK_SUFFIX) else None
    source = None if book else decode(data)
    text = book.text if book else source.text  # type: ignore[union-attr]

    def recheck(current: str) -> list[Diagnostic]:
        return settings.filter(check_source(current, path, settings.selection, project, True))

    outcome = apply_fixes(text, recheck(text), unsafe, recheck=recheck)
    if outcome.text == text or not parses(outcome.text):
        return None, first
    try:
        if book:  # only the changed cells, in the file's own bytes; a diff per cell, no markers
            return notebook.fixed_bytes(book, outcome.text, data), FileResult(
                path, notebook.remap(outcome.remaining, book), outcome.applied,
                notebook.fixed_diff(book, outcome.text, path))
        return outcome.text.encode(source.encoding), FileResult(  # type: ignore[union-attr]
            path, outcome.remaining, outcome.applied, unified_diff(text, outcome.text, path))
    except notebook.LayoutError as error:  # the fixed text no longer maps onto the cells: write nothing
        return None, FileResult(path, [problems.internal_error(path, error)])


# --- a run: discovery, settings, roots -------------------------------------------------------------

class _Run:
    """What one run over `paths` shares: the settings resolved once per file, the project roots."""

    def __init__(self, paths: Sequence[str], overrides: Overrides):
        self.paths = list(paths)
        self.overrides = overrides
        self._settings: dict[str, FileSettings] = {}
        self._configuration = SettingsLookup()
        self.roots = project_roots(self.paths)

    def settings(self, path: str) -> FileSettings:
        if path not in self._settings:
            self._settings[path] = resolve(path, self.overrides, settings=self._configuration(path))
        return self._settings[path]

    def cache_key(self, path: str, fixes: bool) -> str:
        """What a cached result depends on besides the files: the rules that ran, whether fixes were
        built, and the roots modules are resolved from (`check pkg/m.py` and `check .` differ)."""
        return f"{self.settings(path).selection!r}|{fixes}|{os.pathsep.join(map(str, self.roots))}"

    def discover(self) -> Iterator[tuple[str, str | None]]:
        return discover(self.paths, lambda path: self.settings(path).excluded)


def discover(paths: Sequence[str], excluded: Callable[[str], bool] = lambda path: False
             ) -> Iterator[tuple[str, str | None]]:
    """Files to check, in a stable order, as (path, problem). A named file is always checked (a
    pipe or a device named is a problem, not a hang); folders are walked for Python files and
    notebooks, skipping virtual-env, build, cache and VCS folders, symbolic links (no loops, nothing
    outside what was given), what the configuration excludes, and anything but regular files. A
    folder that cannot be read is a problem, never a silent gap. Each file is named once."""
    seen: set[tuple[int, int]] = set()
    for given in paths:
        try:
            status = os.stat(given)
        except OSError as error:
            yield given, _reason(error, given)
            continue
        if stat.S_ISDIR(status.st_mode):
            yield from _walk(given, excluded, seen)
        elif not stat.S_ISREG(status.st_mode):
            yield given, "not a regular file (a pipe, socket or device): not checked"
        elif _first_time(status, seen):
            yield given, None


def _first_time(status: os.stat_result, seen: set[tuple[int, int]]) -> bool:
    key = (status.st_dev, status.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True


def _walk(top: str, excluded: Callable[[str], bool], seen: set[tuple[int, int]]) -> Iterator[tuple[str, str | None]]:
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            yield folder, f"cannot read the folder: {error.strerror or error}"
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_symlink():
                    continue  # it may lead outside what was given: only checked when named
                if entry.is_dir():
                    if entry.name not in SKIPPED_DIRECTORIES and not entry.name.endswith(".egg-info"):
                        subfolders.append(entry.path)
                    continue
                if not entry.name.endswith(PYTHON_SUFFIXES) or not entry.is_file():
                    continue  # a FIFO named `f.py` would block a reader forever
                if not excluded(entry.path) and _first_time(entry.stat(), seen):
                    yield entry.path, None
            except OSError as error:
                yield entry.path, _reason(error, entry.path)
        folders.extend(reversed(subfolders))


def _reason(error: OSError, path: str) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if error.errno == errno.EACCES:
        return "permission denied"
    if error.errno == errno.ENOENT:
        return "no such file or directory" if not os.path.lexists(path) else "broken symbolic link"
    return error.strerror or str(error)


def project_roots(paths: Sequence[str]) -> list[Path]:
    """Where module names start: above the package a path is in, so that `check pkg/child.py` (as
    pre-commit calls it) resolves `from pkg.base import Base` as `check .` does."""
    roots: list[Path] = []
    for given in paths:
        try:
            folder = Path(given).resolve() if os.path.isdir(given) else Path(given).resolve().parent
        except (OSError, RuntimeError):  # a symbolic link loop: reported by discovery
            continue
        while (folder / "__init__.py").is_file() and folder.parent != folder:
            folder = folder.parent
        if folder not in roots:
            roots.append(folder)
    return roots


# --- checking files, in this process or in workers ------------------------------------------------

def check_file(path: str, selection: Selection, project: Project | None = None, fixes: bool = False) -> list[Diagnostic]:
    """Findings for one file before the settings filter them."""
    try:
        data = read_bytes(path)
    except UnreadableSource as error:
        return [problems.unreadable(path, str(error))]
    return _check_data(data, path, selection, project, fixes)


def _check_data(data: bytes, path: str, selection: Selection, project: Project | None, fixes: bool) -> list[Diagnostic]:
    """A file's findings from its bytes; contents that cannot hold one (see `prefilter`) are not even
    parsed."""
    try:
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
    global _checking_only
    _checking_only = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


_checking_only = False  # `tune_garbage_collection` ran: nothing but checks lives in this process


def settle_project(project: Project, modules_before: int) -> None:
    """After a file whose check parsed modules of the project (kept for the run): the file's garbage
    goes now, and what is left (those modules) is frozen, so that no later collection rescans them:
    full collections over the retained trees took a quarter of a cold check on transformers."""
    if _checking_only and project.modules_read != modules_before:
        parsed.forget()  # the checked file's tree, kept for its rules: not worth scanning and freezing
        gc.collect(1)  # the file's garbage is young: the older generation holds none (measured), and is frozen as is
        gc.freeze()


def _start_checking_process(roots: list[Path]) -> None:
    tune_garbage_collection()
    _start_worker(roots)


def _check_in_worker(job: tuple[str, Selection, bool]) -> tuple[list[Diagnostic], list[str]]:
    project = _worker_project or Project()
    project.reads = set()
    modules = project.modules_read
    found = check_file(job[0], job[1], project, job[2])
    settle_project(project, modules)
    return found, sorted(project.reads)


def worker_count(jobs: int, files: int) -> int:
    """Never more workers than cores or than chunks of work: a fork context starts them all at once."""
    return max(1, min(jobs, os.cpu_count() or 1, files // PARALLEL_THRESHOLD))


def _check_files(jobs_to_do: list[tuple[str, Selection, bool]], roots: list[Path],
                 jobs: int) -> Iterator[tuple[str, tuple[list[Diagnostic], list[str]]]]:
    """Checks files in this process or in worker processes, yielding as results come in."""
    workers = worker_count(jobs, len(jobs_to_do))
    if workers <= 1 or len(jobs_to_do) < 2 * PARALLEL_THRESHOLD:
        _start_worker(roots)
        for job in jobs_to_do:
            yield job[0], _check_in_worker(job)
        return
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_start_checking_process,
                                                initargs=(roots,)) as pool:
        chunk = max(1, min(64, len(jobs_to_do) // (workers * 8)))
        yield from zip((job[0] for job in jobs_to_do), pool.map(_check_in_worker, jobs_to_do, chunksize=chunk))
