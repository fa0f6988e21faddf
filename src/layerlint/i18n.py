"""Message translation through standard gettext catalogs.

Templates in the code are English msgids; a language is added by dropping
`locale/<lang>/LC_MESSAGES/layerlint.mo` into the package, with no code change.
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "layerlint"

_active_lang: str | None = None


def N_(template: str) -> str:
    """Marks a string for extraction into the catalogs; translation happens when it is rendered."""
    return template


def set_language(lang: str | None) -> None:
    """Chooses the language for every later `translate` call without an explicit one."""
    global _active_lang
    _active_lang = lang


def _environment_language() -> str | None:
    for variable in ("LAYERLINT_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return value.split(":")[0].split(".")[0]
    return None


@functools.lru_cache(maxsize=None)
def _catalog(lang: str) -> gettext.NullTranslations:
    candidates = [lang, lang.split("_")[0]]
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=candidates, fallback=True)


def translate(template: str, lang: str | None = None) -> str:
    lang = lang or _active_lang or _environment_language()
    if not lang or lang in ("C", "POSIX") or lang.startswith("en"):
        return template
    return _catalog(lang).gettext(template)
