"""Checking one module's source text: parse once, collect facts, run the selected rules, honour
`# noqa`. Every failure to check the text becomes an LL9xx diagnostic. Files, settings, the cache and
fixes are `layerlint.api`'s; `Project` lets a class find its parent in another file of the tree."""

from __future__ import annotations

import contextlib
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from layerlint.diagnostics import Diagnostic
from layerlint.static import budget, installed, outline, parsed, problems, summaries
from layerlint.static.analyzer import Analyzer
from layerlint.static.prefilter import may_hold_findings
from layerlint.static.classes import ClassInfo
from layerlint.static.rules.base import RuleContext
from layerlint.static.selection import Selection  # noqa: F401  (re-exported: check_source's argument)
from layerlint.static.source import TooBigToParse, UnreadableSource, parse, read, split_lines

_TOP_LEVEL_DEF = re.compile(rb"^(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.M)
_REEXPORT_HOPS = 4  # `pkg` -> `pkg.models` -> `pkg.models.base`: enough for real layouts, bounded for cycles
_CLASS_DEF = re.compile(rb"^[ \t\f]*class[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.M)
# What an import statement binds, on its line or inside its brackets: `from .base import (A,\n B as C)`.
_IMPORT_TAIL = re.compile(rb"\bimport[ \t]+(?:\(([^)]*)\)|([^\n;#]*))")
_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass
class Project:
    """The checked tree, so a class can inherit from a layer class defined in another file of it."""

    roots: list[Path] = field(default_factory=list)
    _analyzers: dict[Path, Analyzer | None] = field(default_factory=dict)
    reads: set[str] = field(default_factory=set)  # other files the current check looked into
    # per module: whether its bytes hold a layer, and its top-level functions (None: no such file)
    _texts: dict[Path, tuple[bool, frozenset[bytes], frozenset[bytes], frozenset[bytes]] | None] = field(default_factory=dict)
    # Folders of installed packages, read (never imported) for a parent class that the tree imports
    # from a library; None: found from `sys.path` on first use. `[]` turns the lookup off.
    library_path: list[Path] | None = None
    _installed_names: dict[Path, str] = field(default_factory=dict)
    _installed_files: dict[str, Path | None] = field(default_factory=dict)
    # summaries of walks through the modules above, shared by every file of the run (`summaries`)
    summaries: dict = field(default_factory=dict)
    # The files read to index a module (its parents' modules) and to answer a `find_value`: the
    # analyzers above memoise both for the run, and a later file that uses them depends on those
    # files as much as the first (its cached result must go when one of them changes).
    _indexed_reads: dict[Path, set[str]] = field(default_factory=dict)
    _value_reads: dict[str, set[str]] = field(default_factory=dict)
    _noting: list[set[str]] = field(default_factory=list)

    @property
    def modules_read(self) -> int:
        """How many modules of the tree were read so far (each is kept for the run)."""
        return len(self._analyzers)

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

    def find_class(self, qualified: str, _hops: int = 0) -> ClassInfo | None:
        """The class a qualified name stands for, in the tree or in an installed package, following
        re-exports (`from .modeling import BaseModel` in a package's `__init__`) a few hops."""
        module, _, name = qualified.rpartition(".")
        for analyzer in self._class_modules(module, name):
            analyzer.load(name)
            if name in analyzer.classes:
                return analyzer.classes[name]
            exported = analyzer.imports.names.get(name)
            if exported and exported != qualified and _hops < _REEXPORT_HOPS:
                return self.find_class(exported, _hops + 1)
        return None

    def _class_modules(self, module: str, name: str) -> Iterator[Analyzer]:
        """The modules that may define or re-export `name`: of the tree, else of an installed package."""
        found = False
        for root in self.roots:
            base = root.joinpath(*module.split(".")) if module else root
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                # A dependency even when missing or broken now: once it is fixed, this file's cached
                # result must be re-checked.
                self.note_read(str(candidate))
                if candidate not in self._analyzers and not self._may_define_class(candidate, name):
                    continue  # not parsed: its bytes neither define nor import such a class
                analyzer = self._analyzer(candidate)
                if analyzer is not None:
                    found = True
                    yield analyzer
        if not found and module:
            library_module = self._installed_module(module, name)
            if library_module is not None:
                yield library_module

    def _installed_module(self, module: str, name: str) -> Analyzer | None:
        if self.library_path is None:
            self.library_path = installed.default_search_path(exclude=self.roots)
        if module not in self._installed_files:  # a stat per folder of sys.path: once per module per run
            self._installed_files[module] = installed.module_file(module, self.library_path)
        path = self._installed_files[module]
        if path is None:
            return None
        self.note_read(str(path))
        if path not in self._analyzers and not self._may_define_class(path, name):
            return None
        self._installed_names[path] = module
        return self._analyzer(path)

    def find_value(self, qualified: str) -> object | None:
        """What `from .norms import make_norm` names in another module of the tree: a function, a
        class or a module-level value, read (never imported) from that module's top level."""
        from layerlint.static.values import ClassValue

        module, _, name = qualified.rpartition(".")
        with self._noted_for(self._value_reads.setdefault(qualified, set())):
            for analyzer in self._modules(module, name):
                analyzer.load(name)
                if name in analyzer.classes:
                    return ClassValue(analyzer.classes[name])
                found = analyzer.module_values().get(name)
                if found is not None:
                    return found
        return None

    def value_read_again(self, qualified: str) -> None:
        """An analyzer answered `qualified` from its memo: the current check read what it took."""
        for path in self._value_reads.get(qualified, ()):
            self.note_read(path)

    @contextlib.contextmanager
    def _noted_for(self, into: set[str]) -> Iterator[None]:
        self._noting.append(into)
        try:
            yield
        finally:
            self._noting.pop()
            if self._noting:
                self._noting[-1].update(into)

    def _modules(self, module: str, name: str) -> list[Analyzer]:
        found = []
        for root in self.roots:
            base = root.joinpath(*module.split(".")) if module else root
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                self.note_read(str(candidate))
                analyzer = self._analyzer(candidate) if self._worth_reading(candidate, name) else None
                if analyzer is not None:
                    found.append(analyzer)
        return found

    def _worth_reading(self, path: Path, name: str) -> bool:
        """Whether `name` of that module can matter, tested on its bytes before parsing it: a module
        with a layer or a forward method in it (the prefilter's test), or a plain function (it may be
        handed layers: `fill(layer, n)`). Model outputs and utility classes are not parsed."""
        found = self._scan(path)
        return found is not None and (found[0] or name.encode() in found[1])

    def _may_define_class(self, path: Path, name: str) -> bool:
        """Whether the module's bytes define a class `name` or import that name (a package's
        `__init__` re-exporting it): only then is the module parsed for a parent class."""
        found = self._scan(path)
        return found is not None and (name.encode() in found[2] or name.encode() in found[3])

    def _scan(self, path: Path) -> tuple[bool, frozenset[bytes], frozenset[bytes], frozenset[bytes]] | None:
        """What a module's bytes say before it is parsed (None: no such file): whether it may hold a
        layer, its top-level functions, the classes it defines at any depth and the names it imports."""
        if path not in self._texts:
            try:
                data = path.read_bytes() if path.is_file() else None
            except OSError:
                data = None
            self._texts[path] = None if data is None else (
                may_hold_findings(data), frozenset(_TOP_LEVEL_DEF.findall(data)), frozenset(_CLASS_DEF.findall(data)),
                _imported_names(data))
        return self._texts[path]

    def note_read(self, path: str) -> None:
        """The current check depends on `path`, and so does any summary being recorded."""
        self.reads.add(path)
        summaries.file_read(path)
        if self._noting:
            self._noting[-1].add(path)

    def forget(self, path: str | Path) -> None:
        """A file changed (the editor saved it, `--watch` saw it): what was read from it, and from
        the modules that may depend on it, goes, and the next look reads it again."""
        changed = Path(path).resolve()
        for known in [p for p in self._texts if p.resolve() == changed]:
            self._texts.pop(known, None)
        # Every module read may hold what it took from that file (a parent class, a constant it
        # imported, a summary that walked its code): they are all read again, as a fresh project would.
        self._analyzers.clear()
        self._indexed_reads.clear()
        self._value_reads.clear()
        self.summaries.clear()
        self._installed_files.clear()  # a package may have been installed since

    def _analyzer(self, path: Path) -> Analyzer | None:
        if path not in self._analyzers:
            self._analyzers[path] = None  # against import cycles
            try:
                text = read(str(path)).text
                # its definitions are parsed when first named; the text of those parsed is not kept
                outlined = outline.outline(text, lambda: read(str(path)).text)
                tree, deferred = outlined if outlined is not None else (parse(text, str(path)), None)
            except (UnreadableSource, SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            analyzer = Analyzer(tree, str(path), self._installed_names.get(path) or self.module_name(path),
                                self.find_class, outline=deferred)
            analyzer.persistent = True
            # What indexing the module reads (its parents' modules), now or when a deferred definition is
            # parsed, is read for every later file that uses the module.
            analyzer.loading = lambda: self._noted_for(self._indexed_reads.setdefault(path, set()))
            with analyzer.loading():
                analyzer.collect()
            self._analyzers[path] = analyzer
        else:
            for read_path in self._indexed_reads.get(path, ()):
                self.note_read(read_path)
        return self._analyzers[path]


def _imported_names(data: bytes) -> frozenset[bytes]:
    """Every identifier an import statement of the module mentions (module names and `as` included:
    a superset is enough for a test that only decides whether to parse)."""
    names: set[bytes] = set()
    for bracketed, plain in _IMPORT_TAIL.findall(data):
        names.update(_IDENTIFIER.findall(bracketed or plain))
    return frozenset(names)


def _release(analyzer: Analyzer) -> None:
    """The checked file's analyzer is done once its facts exist; the project's modules may still
    point at its classes (a scope a nested function closed over, a default value built under this
    file's check), so what it holds goes now rather than with the next full collection."""
    for info in analyzer.class_infos:
        info.attributes = None
    analyzer.__dict__.clear()


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
    parsed.remember(text, tree)  # the rules that need parents use this tree, not a second parse
    try:
        store = summaries.Store(shared=project.summaries if project else {},
                                note_read=project.note_read if project else None)
        with budget.active(budget.Budget()), summaries.active(store):  # the parse is bounded above
            module = project.module_name(Path(path)) if project else ""
            analyzer = Analyzer(tree, path, module, project.find_class if project else None, text)
            lines = analyzer.lines or split_lines(text)  # split once, for the analyzer and the rules
            try:
                facts = analyzer.run()
            finally:
                _release(analyzer)
        # The rules are bounded in work only: their time goes mostly into building fixes (a libcst
        # parse each), which grows with the findings, not with how pathological the code is.
        with budget.active(budget.Budget(time_limit=None)):
            context = RuleContext(path, text, lines, fixes)
            found: dict[tuple, Diagnostic] = {}
            for rule in selection.rules():
                for diagnostic in rule.check(facts, context):
                    # one finding per instance at a place: two instances met at one call (`bn(x)` in a
                    # loop over both) are two findings
                    found.setdefault((diagnostic.code, diagnostic.span, diagnostic.layer), diagnostic)
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
