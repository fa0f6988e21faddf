"""Checking source text and trees of files: parse once, collect facts, run the selected rules, honour
`# noqa`. Every failure to check a file becomes an LL9xx diagnostic; the run always goes on."""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from layerlint.diagnostics import Diagnostic
from layerlint.static import problems
from layerlint.static.analyzer import Analyzer, ClassInfo
from layerlint.static.rules import ALL_RULES, Rule
from layerlint.static.rules.base import RuleContext
from layerlint.static.source import UnreadableSource, read

SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".venv", "venv", ".env", "env", ".tox", ".nox",
    "build", "dist", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
    "site-packages", ".ipynb_checkpoints", ".layerlint_cache",
})
PYTHON_SUFFIXES = (".py", ".pyi")
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
                if analyzer is not None and name in analyzer.classes:
                    return analyzer.classes[name]
        return None

    def _analyzer(self, path: Path) -> Analyzer | None:
        if path not in self._analyzers:
            self._analyzers[path] = None  # against import cycles
            try:
                tree = ast.parse(read(str(path)).text)
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
                 project: Project | None = None) -> list[Diagnostic]:
    """All findings for one module's source text, sorted by position."""
    selection = selection or Selection()
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        return [problems.syntax_error(path, error)]
    except RecursionError:
        return [problems.unreadable(path, "nested too deeply to parse")]
    except (ValueError, MemoryError) as error:
        return [problems.unreadable(path, f"cannot be parsed: {type(error).__name__}: {error}")]
    try:
        module = project.module_name(Path(path)) if project else ""
        analyzer = Analyzer(tree, path, module, project.find_class if project else None)
        facts = analyzer.run()
        context = RuleContext(path, text, text.splitlines())
        found: dict[tuple, Diagnostic] = {}
        for rule in selection.rules():
            for diagnostic in rule.check(facts, context):
                found.setdefault((diagnostic.code, diagnostic.span), diagnostic)
    except RecursionError:
        return [problems.unreadable(path, "nested too deeply to analyse")]
    except Exception as error:  # a bug of ours must not stop the run: it is reported as LL903
        return [problems.internal_error(path, error)]
    noqa = noqa_lines(text)
    return sorted((d for d in found.values() if not _silenced(d, noqa)), key=lambda d: d.sort_key)


def discover(paths: Sequence[str], exclude: Callable[[Path], bool] | None = None) -> Iterator[tuple[str, str | None]]:
    """Files to check, in a stable order, as (path, problem): explicit files are always checked;
    folders are walked for Python files, skipping virtual-env, build, cache and VCS folders, and
    not following symbolic links to folders (no loops, nothing outside what was given)."""
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
                    if exclude is None or not exclude(Path(path)):
                        yield path, None


def check_paths(paths: Sequence[str] = (".",), selection: Selection | None = None,
                progress: Callable[[int, int | None], None] | None = None) -> list[Diagnostic]:
    """Findings for every Python file under `paths`, in path order."""
    project = Project(roots=[Path(p).resolve() if os.path.isdir(p) else Path(p).resolve().parent for p in paths])
    diagnostics: list[Diagnostic] = []
    files = list(discover(paths))
    for index, (path, problem) in enumerate(files, start=1):
        if problem is not None:
            diagnostics.append(problems.unreadable(path, problem))
            continue
        try:
            text = read(path).text
        except UnreadableSource as error:
            diagnostics.append(problems.unreadable(path, str(error)))
            continue
        diagnostics.extend(check_source(text, path, selection, project))
        if progress is not None:
            progress(index, len(files))
    return diagnostics
