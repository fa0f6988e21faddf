"""Configuration: `[tool.layerlint]` in `pyproject.toml`, or a `layerlint.toml`, found by walking up from
each checked file as ruff does (the nearest one applies; `layerlint.toml` wins over a `pyproject.toml`
in the same folder). Command-line or editor options (`Overrides`) apply on top.

    [tool.layerlint]
    select = ["LL0"]                  # codes or prefixes; default: every rule on by default
    extend-select = ["LL003"]
    ignore = ["LL005"]
    per-file-ignores = { "tests/*" = ["LL002"] }
    exclude = ["generated/"]          # patterns of files and folders not to check
    extend-exclude = ["legacy_*.py"]
    severity = { LL002 = "error" }    # report a rule at another severity
    allow-shared = ["self.encoder", "SiameseTower"]  # intended sharing: attributes or layer classes
    lang = "zh"

`resolve(path, overrides)` is where configuration becomes behaviour: it gives the one `FileSettings`
of a file, and `FileSettings.filter` is the only place findings are dropped or re-graded by it.
Every client (the command line, `--fix`, the language server, flake8, the library) goes through
`layerlint.api`, which calls these two and nothing else of this module.

Every value is checked by type when the file is read; a wrong one is a `ConfigError` naming the file
and the key (exit code 2 on the command line, a message in the editor), never a traceback.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Iterable

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.i18n import is_language_tag
from layerlint.static.selection import Selection, unknown_codes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILES = ("layerlint.toml", "pyproject.toml")
SHARING_CODES = frozenset({"LL002", "LL003", "LL004"})


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    """One configuration file's values, validated."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    allow_shared: tuple[str, ...] = ()
    lang: str | None = None
    source: str | None = None  # the file these came from
    root: str = "."  # the folder that relative patterns are matched from

    def _relative(self, path: str) -> str:
        try:
            return PurePath(os.path.relpath(os.path.abspath(path), self.root)).as_posix()
        except ValueError:  # another drive
            return PurePath(path).as_posix()

    def ignored_for(self, path: str) -> tuple[str, ...]:
        if not self.per_file_ignores:
            return ()
        relative = self._relative(path)
        return tuple(code for pattern, codes in self.per_file_ignores if _matches(relative, pattern) for code in codes)

    def excluded(self, path: str) -> bool:
        if not self.exclude and not self.extend_exclude:
            return False
        relative = self._relative(path)
        return any(_matches(relative, pattern) for pattern in self.exclude + self.extend_exclude)


@dataclass(frozen=True)
class Overrides:
    """What the command line or the editor sets on top of the files: `select` replaces the file's,
    `extend_select` and `ignore` add to it, `lang` wins."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    lang: str | None = None

    def __post_init__(self) -> None:
        bad = unknown_codes((self.select or ()) + self.extend_select + self.ignore)
        if bad:
            raise ConfigError(f"unknown rule code(s) {', '.join(repr(b) for b in bad)}; see `layerlint rules`")
        if self.lang is not None and not is_language_tag(self.lang):
            raise ConfigError(f"lang: {self.lang!r} is not a language (e.g. en, zh, zh_CN)")


@dataclass(frozen=True)
class FileSettings:
    """Everything that decides what one file's findings are: which rules run, whether the file is
    checked at all, and how findings are re-graded or accepted."""

    selection: Selection = Selection()
    excluded: bool = False
    severity: tuple[tuple[str, Severity], ...] = ()
    allow_shared: tuple[str, ...] = ()
    lang: str | None = None
    source: str | None = None  # the configuration file, None for the defaults
    settings: Settings = Settings()

    def filter(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """The findings a user sees: those of selected rules, minus the intended sharing listed in
        `allow-shared`, at the configured severities. Nothing shows or fixes a finding before this."""
        severities = dict(self.severity)
        allowed = set(self.allow_shared)
        result = []
        for diagnostic in diagnostics:
            if not diagnostic.code.startswith("LL9") and diagnostic.code not in self._codes:
                continue
            if allowed and diagnostic.code in SHARING_CODES and layer_names(diagnostic) & allowed:
                continue
            if diagnostic.code in severities:
                diagnostic = dataclasses.replace(diagnostic, severity=severities[diagnostic.code])
            result.append(diagnostic)
        return result

    @functools.cached_property
    def _codes(self) -> frozenset[str]:
        return frozenset(rule.code for rule in self.selection.rules())

    def describe(self) -> str:
        lines = [f"# settings from {self.source or 'defaults (no configuration file found)'}"]
        for item in dataclasses.fields(self.settings):
            if item.name != "source":
                lines.append(f"{item.name.replace('_', '-')} = {getattr(self.settings, item.name)!r}")
        lines.append(f"# rules that run: {', '.join(r.code for r in self.selection.rules())}")
        return "\n".join(lines)


def layer_names(diagnostic: Diagnostic) -> set[str]:
    """The names `allow-shared` matches: the layer's attribute path and its class, as every sharing
    finding carries them (static and runtime alike), whatever its message's words."""
    return {name for name in (diagnostic.layer, diagnostic.layer_class) if name}


def resolve(path: str, overrides: Overrides = Overrides(), settings: Settings | None = None) -> FileSettings:
    """The settings of the file (or folder) at `path`: the nearest configuration (or `settings`, the
    configuration of a project the file is judged for: the tracer's findings may sit in installed
    libraries), then `overrides`."""
    settings = settings if settings is not None else settings_for(path)
    select = overrides.select if overrides.select is not None else settings.select
    selection = Selection(select=select, ignore=settings.ignore + overrides.ignore + settings.ignored_for(path))
    selection = selection.extended(settings.extend_select + overrides.extend_select)
    return FileSettings(
        selection=selection,
        excluded=settings.excluded(path),
        severity=tuple((code, Severity[level.upper()]) for code, level in settings.severity),
        allow_shared=settings.allow_shared,
        lang=overrides.lang or settings.lang,
        source=settings.source,
        settings=dataclasses.replace(settings, select=selection.select),
    )


def _matches(relative: str, pattern: str) -> bool:
    """gitignore-like: `dir/` matches a folder anywhere on the path, globs match the path or a name."""
    if pattern.endswith("/"):
        return f"/{pattern}" in f"/{relative}" or relative.startswith(pattern)
    return fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(PurePath(relative).name, pattern)


# --- reading and validating a file -------------------------------------------------------------------

def _strings(value: Any, where: str, example: str) -> tuple[str, ...]:
    """A list of strings. A bare string is refused rather than split into its characters."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, e.g. {example}")
    return tuple(value)


def _codes(value: Any, where: str) -> tuple[str, ...]:
    codes = tuple(code.upper() for code in _strings(value, where, '["LL002"]'))
    bad = unknown_codes(codes)
    if bad:
        raise ConfigError(f"{where}: unknown rule code(s) {', '.join(repr(b) for b in bad)}; see `layerlint rules`")
    return codes


def _table(value: Any, where: str, example: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, e.g. {example}")
    return value


def _severity(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    table = _table(value, where, '{ LL002 = "error" }')
    for code, level in table.items():
        if not isinstance(level, str) or level.upper() not in Severity.__members__:
            raise ConfigError(f"{where}: {code} = {level!r}: expected \"error\", \"warning\" or \"info\"")
    _codes(list(table), where)
    return tuple((code.upper(), level.lower()) for code, level in table.items())


def _lang(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not is_language_tag(value):
        raise ConfigError(f"{where}: {value!r} is not a language (e.g. \"en\", \"zh\", \"zh_CN\")")
    return value


_KEYS = {"select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude", "severity",
         "allow-shared", "lang"}


def parse(table: Any, source: str) -> Settings:
    """A configuration table, validated key by key."""
    where = f"{source}: [tool.layerlint]" if source.endswith("pyproject.toml") else source
    table = _table(table, where, '[tool.layerlint] with select = ["LL0"]')
    unknown = set(table) - _KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} in [tool.layerlint]")
    per_file = _table(table.get("per-file-ignores", {}), f"{source}: per-file-ignores", '{ "tests/*" = ["LL002"] }')
    return Settings(
        select=_codes(table["select"], f"{source}: select") if "select" in table else None,
        extend_select=_codes(table.get("extend-select", []), f"{source}: extend-select"),
        ignore=_codes(table.get("ignore", []), f"{source}: ignore"),
        per_file_ignores=tuple((pattern, _codes(codes, f"{source}: per-file-ignores.{pattern}"))
                               for pattern, codes in per_file.items()),
        exclude=_strings(table.get("exclude", []), f"{source}: exclude", '["generated/"]'),
        extend_exclude=_strings(table.get("extend-exclude", []), f"{source}: extend-exclude", '["legacy_*.py"]'),
        severity=_severity(table.get("severity", {}), f"{source}: severity"),
        allow_shared=_strings(table.get("allow-shared", []), f"{source}: allow-shared", '["self.encoder"]'),
        lang=_lang(table.get("lang"), f"{source}: lang"),
        source=source,
        root=os.path.dirname(source),
    )


def _settings_in(folder: str) -> Settings | None:
    """Re-read whenever a configuration file in `folder` appears, changes or goes (the editor server
    lives long; a change to pyproject.toml must apply without a restart)."""
    stamps: list[tuple[int, int, int] | None] = []
    for name in CONFIG_FILES:
        try:
            status = os.stat(os.path.join(folder, name))
            stamps.append((status.st_mtime_ns, status.st_size, status.st_ino))
        except OSError:
            stamps.append(None)
    return _load_settings(folder, tuple(stamps))


@functools.lru_cache(maxsize=1024)
def _load_settings(folder: str, stamps: tuple[Any, ...]) -> Settings | None:
    for name, stamp in zip(CONFIG_FILES, stamps):
        candidate = os.path.join(folder, name)
        if stamp is None:
            continue
        try:
            with open(candidate, "rb") as handle:
                document = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{candidate}: {error}") from None
        if name == "pyproject.toml":
            tool = document.get("tool", {})
            table = tool.get("layerlint") if isinstance(tool, dict) else None
            if table is None and not isinstance(tool, dict):
                raise ConfigError(f"{candidate}: `tool` must be a table")
        else:
            table = document
        if table is not None:
            return parse(table, candidate)
    return None


def settings_for(path: str) -> Settings:
    """The settings that apply to a file (or folder): the nearest configuration above it."""
    return SettingsLookup()(path)


class SettingsLookup:
    """`settings_for` with a memory per folder, for one run over many files: a tree of thousands of
    files has a few dozen folders, and each file's walk up to the root would stat two files per level."""

    def __init__(self) -> None:
        self._found: dict[str, Settings] = {}

    def __call__(self, path: str) -> Settings:
        folder = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
        walked = []
        while folder not in self._found:
            walked.append(folder)
            found = _settings_in(folder)
            parent = os.path.dirname(folder)
            if found is not None or parent == folder:
                self._found[folder] = found if found is not None else Settings()
                break
            folder = parent
        for below in walked:
            self._found[below] = self._found[folder]
        return self._found[folder]


__all__ = ["ConfigError", "FileSettings", "Overrides", "Settings", "SettingsLookup", "layer_names", "resolve",
           "settings_for"]

