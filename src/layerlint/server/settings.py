"""What the server checks each document with: the file's `[tool.layerlint]` configuration, resolved by
`layerlint.config.resolve` exactly as `layerlint check` resolves it, with what the editor sent as
`Overrides` on top (ruff-style: the editor's `select` replaces the file's, `extendSelect` and `ignore`
add to it, `lang` wins).

Editor settings come from `initializationOptions` and from `workspace/didChangeConfiguration`,
either flat or under a `layerlint` key:

    {"select": ["LL001", "LL003"], "extendSelect": "LL005", "ignore": ["LL004"], "lang": "en"}

Codes may be a list or a comma-separated string; prefixes and `ALL` work as on the command line.
A configuration that cannot be used gives the defaults and a message for the user, never a dead check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from layerlint.config import ConfigError, FileSettings, Overrides, Settings, resolve


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

    def overrides(self) -> Overrides:
        return Overrides(select=self.select, extend_select=self.extend_select, ignore=self.ignore, lang=self.lang)


def _codes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else ()
    return tuple(str(part).strip().upper() for part in parts if str(part).strip())


_editor = EditorSettings()


def set_editor_settings(raw: Any) -> EditorSettings:
    """Replace the editor's settings with what it sent; returns the parsed settings."""
    global _editor
    _editor = EditorSettings.parse(raw)
    return _editor


def settings_for(path: str | None) -> tuple[FileSettings, str | None]:
    """The settings to check the document at `path` with (None: an unsaved, untitled document), and
    the configuration error to show the user when the project's or the editor's settings are unusable
    (the defaults apply meanwhile)."""
    try:
        overrides = _editor.overrides()
    except ConfigError as error:
        return FileSettings(), f"layerlint: editor settings: {error}"
    try:
        return resolve(path or "<untitled>", overrides), None
    except ConfigError as error:
        return resolve_defaults(overrides), f"layerlint: configuration error: {error}"


def resolve_defaults(overrides: Overrides) -> FileSettings:
    """The settings with no configuration file, for a project whose configuration is broken."""
    return resolve("<defaults>", overrides, settings=Settings())
