"""Configuration: `[tool.layerlint]` in `pyproject.toml`, or a `layerlint.toml`, found by walking up from
each checked file as ruff does (the nearest one applies; `layerlint.toml` wins over a `pyproject.toml`
in the same folder). Command-line options override it.

    [tool.layerlint]
    select = ["LL0"]                  # codes or prefixes; default: every rule on by default
    extend-select = ["LL003"]
    ignore = ["LL005"]
    per-file-ignores = { "tests/*" = ["LL002"] }
    exclude = ["generated/"]          # replaces the default excluded folders' extra patterns
    extend-exclude = ["legacy_*.py"]
    severity = { LL002 = "error" }    # report a rule at another severity
    allow-shared = ["self.encoder", "SiameseTower"]  # intended sharing: attributes or layer classes
    lang = "zh"
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Iterable, Sequence

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.static.checker import Selection

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILES = ("layerlint.toml", "pyproject.toml")
SHARING_CODES = frozenset({"LL002", "LL003", "LL004"})


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
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

    def selection(self, path: str | None = None) -> Selection:
        select = self.select
        if self.extend_select:
            from layerlint.static.rules import ALL_RULES

            defaults = tuple(rule.code for rule in ALL_RULES if rule.enabled_by_default)
            select = (select or defaults) + self.extend_select
        ignore = self.ignore + (self.ignored_for(path) if path else ())
        return Selection(select=select, ignore=ignore)

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

    def apply(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """Severity overrides and the allow-list of intentionally shared layers."""
        severities = dict(self.severity)
        allowed = set(self.allow_shared)
        result = []
        for diagnostic in diagnostics:
            if allowed and diagnostic.code in SHARING_CODES and _names(diagnostic) & allowed:
                continue
            if diagnostic.code in severities:
                diagnostic = dataclasses.replace(diagnostic, severity=Severity[severities[diagnostic.code].upper()])
            result.append(diagnostic)
        return result

    def describe(self) -> str:
        lines = [f"# settings from {self.source or 'defaults (no configuration file found)'}"]
        for item in dataclasses.fields(self):
            if item.name != "source":
                lines.append(f"{item.name.replace('_', '-')} = {getattr(self, item.name)!r}")
        lines.append(f"# rules that run: {', '.join(r.code for r in self.selection().rules())}")
        return "\n".join(lines)


def _names(diagnostic: Diagnostic) -> set[str]:
    args = diagnostic.message.args
    return {str(args[key]) for key in ("label", "cls", "instance", "class_name") if key in args}


def _matches(relative: str, pattern: str) -> bool:
    """gitignore-like: `dir/` matches a folder anywhere on the path, globs match the path or a name."""
    if pattern.endswith("/"):
        return f"/{pattern}" in f"/{relative}" or relative.startswith(pattern)
    return fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(PurePath(relative).name, pattern)


_KEYS = {"select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude", "severity",
         "allow-shared", "lang"}


def _codes(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of codes, e.g. [\"LL002\"]")
    return tuple(v.upper() for v in value)


def parse(table: dict[str, Any], source: str) -> Settings:
    unknown = set(table) - _KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} in [tool.layerlint]")
    severity = table.get("severity", {})
    if not isinstance(severity, dict) or any(str(v).upper() not in Severity.__members__ for v in severity.values()):
        raise ConfigError(f"{source}: severity: expected a table like {{ LL002 = \"error\" }}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{source}: per-file-ignores: expected a table of pattern = [codes]")
    return Settings(
        select=_codes(table["select"], f"{source}: select") if "select" in table else None,
        extend_select=_codes(table.get("extend-select", []), f"{source}: extend-select"),
        ignore=_codes(table.get("ignore", []), f"{source}: ignore"),
        per_file_ignores=tuple((p, _codes(c, f"{source}: per-file-ignores")) for p, c in per_file.items()),
        exclude=tuple(table.get("exclude", ())),
        extend_exclude=tuple(table.get("extend-exclude", ())),
        severity=tuple((k.upper(), str(v)) for k, v in severity.items()),
        allow_shared=tuple(table.get("allow-shared", ())),
        lang=table.get("lang"),
        source=source,
        root=str(Path(source).parent),
    )


def _settings_in(folder: str) -> Settings | None:
    """Re-read whenever a configuration file in `folder` appears, changes or goes (the editor server
    lives long; a change to pyproject.toml must apply without a restart)."""
    stamps = []
    for name in CONFIG_FILES:
        try:
            status = os.stat(os.path.join(folder, name))
            stamps.append((status.st_mtime_ns, status.st_size))
        except OSError:
            stamps.append(None)
    return _load_settings(folder, tuple(stamps))


@functools.lru_cache(maxsize=1024)
def _load_settings(folder: str, stamps: tuple) -> Settings | None:
    for name, stamp in zip(CONFIG_FILES, stamps):
        candidate = os.path.join(folder, name)
        if stamp is None:
            continue
        try:
            with open(candidate, "rb") as handle:
                document = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"{candidate}: {error}") from None
        table = document.get("tool", {}).get("layerlint") if name == "pyproject.toml" else document
        if table is not None:
            return parse(table, candidate)
    return None


def settings_for(path: str) -> Settings:
    """The settings that apply to a file (or folder): the nearest configuration above it."""
    folder = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    while True:
        found = _settings_in(folder)
        if found is not None:
            return found
        parent = os.path.dirname(folder)
        if parent == folder:
            return Settings()
        folder = parent


def with_overrides(settings: Settings, select: Sequence[str] | None, extend_select: Sequence[str],
                   ignore: Sequence[str]) -> Settings:
    """Command-line options on top of a file's settings: --select replaces, the others extend."""
    return dataclasses.replace(
        settings,
        select=tuple(select) if select is not None else settings.select,
        extend_select=settings.extend_select + tuple(extend_select),
        ignore=settings.ignore + tuple(ignore),
    )


__all__ = ["ConfigError", "Settings", "settings_for", "with_overrides", "field"]
