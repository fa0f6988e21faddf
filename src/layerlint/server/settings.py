"""What the server checks each document with.

`settings_for(path)` is called for every check of a document. It starts from the configuration
found for the file (by the loader plugged in with `set_config_loader`; none by default, so the
rules' defaults) and applies what the editor sent on top, ruff-style: the editor's `select`
replaces the file's, `extendSelect` adds to it, `ignore` adds to it.

Editor settings come from `initializationOptions` and from `workspace/didChangeConfiguration`,
either flat or under a `layerlint` key:

    {"select": ["LL001", "LL003"], "extendSelect": "LL005", "ignore": ["LL004"], "lang": "en"}

Codes may be a list or a comma-separated string; prefixes and `ALL` work as on the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from layerlint.static.checker import Selection


@dataclass(frozen=True)
class Settings:
    selection: Selection = field(default_factory=Selection)
    lang: str | None = None
    apply: Any = None  # the configuration's severity overrides and allow-list, if any


@dataclass(frozen=True)
class EditorSettings:
    """The part of the settings the editor sends."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    lang: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> EditorSettings:
        if not isinstance(raw, Mapping):
            return cls()
        if isinstance(raw.get("layerlint"), Mapping):
            raw = raw["layerlint"]
        select = raw.get("select")
        lang = raw.get("lang")
        return cls(select=_codes(select) if select is not None else None,
                   extend_select=_codes(raw.get("extendSelect", raw.get("extend_select"))),
                   ignore=_codes(raw.get("ignore")),
                   lang=lang if isinstance(lang, str) and lang else None)


def _codes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else ()
    return tuple(str(part).strip().upper() for part in parts if str(part).strip())


# A configuration loader maps a file's path to its `Settings` (from `[tool.layerlint]` and the like),
# or None when no configuration applies. Plugged in by the configuration system; none by default.
ConfigLoader = Callable[[str | None], "Settings | None"]
_config_loader: ConfigLoader | None = None
_editor = EditorSettings()


def set_config_loader(loader: ConfigLoader | None) -> None:
    global _config_loader
    _config_loader = loader


def set_editor_settings(raw: Any) -> EditorSettings:
    """Replace the editor's settings with what it sent; returns the parsed settings."""
    global _editor
    _editor = EditorSettings.parse(raw)
    return _editor


def editor_settings() -> EditorSettings:
    return _editor


def settings_for(path: str | None) -> Settings:
    """The settings to check the document at `path` with (None: an unsaved, untitled document)."""
    base = (_config_loader(path) if _config_loader is not None else None) or Settings()
    return combine(base, _editor)


def combine(base: Settings, editor: EditorSettings) -> Settings:
    selection = base.selection
    if editor.select is not None:
        selection = replace(selection, select=editor.select)
    if editor.extend_select:
        from layerlint.static.rules import ALL_RULES

        current = selection.select
        if current is None:
            current = tuple(rule.code for rule in ALL_RULES if rule.enabled_by_default)
        selection = replace(selection, select=current + editor.extend_select)
    if editor.ignore:
        selection = replace(selection, ignore=tuple(selection.ignore) + editor.ignore)
    return Settings(selection=selection, lang=editor.lang or base.lang, apply=base.apply)
