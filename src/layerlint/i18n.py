"""Message translation through standard gettext catalogs.

Templates in the code are English msgids; a language is added by dropping
`locale/<lang>/LC_MESSAGES/layerlint.mo` into the package, with no code change (`scripts/i18n.py`
extracts the templates and compiles the catalogs). A rule's documentation is translated as a whole
page, `locale/<lang>/rules/<CODE>.md`, whose first line records the hash of the English docstring it
was translated from, so a changed docstring is detected (`tests/test_i18n.py`).

Languages are named as people write them: `zh`, `zh_CN`, `zh-CN`, `zh_Hans`, `zh_CN.UTF-8` all
mean the `zh_CN` catalog. Extra catalog folders, searched before the packaged one, can be given in
`LAYERLINT_LOCALE_DIR` (os.pathsep-separated) or with `add_locale_dir`.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import os
import re
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "layerlint"
LOCALE_DIR_VARIABLE = "LAYERLINT_LOCALE_DIR"

# What a bare language or a script subtag means when no catalog has that exact name.
DEFAULT_REGION = {"zh": "zh_CN"}
SCRIPT_REGION = {("zh", "hans"): "zh_CN", ("zh", "hant"): "zh_TW"}

_active_lang: str | None = None
_extra_dirs: list[Path] = []
_SOURCE_HASH = re.compile(r"\A<!--\s*source-sha256:\s*([0-9a-f]{64})\s*-->\n")


def N_(template: str) -> str:
    """Marks a string for extraction into the catalogs; translation happens when it is rendered."""
    return template


def set_language(lang: str | None) -> None:
    """Chooses the language for every later `translate` call without an explicit one."""
    global _active_lang
    _active_lang = lang


def add_locale_dir(path: str | os.PathLike[str]) -> None:
    """Searches `path` (laid out as `<lang>/LC_MESSAGES/layerlint.mo`) before the packaged catalogs."""
    _extra_dirs.insert(0, Path(path))


def locale_dirs() -> tuple[Path, ...]:
    """Where catalogs are looked up, first match wins."""
    from_environment = [Path(p) for p in os.environ.get(LOCALE_DIR_VARIABLE, "").split(os.pathsep) if p]
    return tuple(_extra_dirs + from_environment + [LOCALE_DIR])


def _environment_languages() -> list[str]:
    for variable in ("LAYERLINT_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return [part for part in value.split(":") if part]
    return []


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{1,8})*")


def is_language_tag(lang: str) -> bool:
    """A language as people write it (`zh`, `zh_CN`, `zh-Hans-CN`, `pt_BR.UTF-8`), never a path: the
    name becomes a folder under the catalogs, and a repository's configuration must not be able to
    point it at a catalog of its own choosing (`lang = "/some/dir"`, `"../../x"`)."""
    tag = re.split(r"[.@]", lang.strip(), maxsplit=1)[0]
    return tag in ("C", "POSIX") or bool(_LANGUAGE_TAG.fullmatch(tag))


@functools.cache
def language_candidates(lang: str) -> tuple[str, ...]:
    """Catalog names to try for a language as a user wrote it, most specific first.

    `zh-Hans-CN` -> zh_CN, zh_Hans, zh; `zh` -> zh, zh_CN; `zh_TW` -> zh_TW, zh (never zh_CN);
    `pt_BR.UTF-8@euro` -> pt_BR, pt. `C`, `POSIX` and English give no candidate.
    """
    tag = re.split(r"[.@]", lang.strip(), maxsplit=1)[0].replace("-", "_")
    parts = [part for part in tag.split("_") if part]
    if not parts or tag in ("C", "POSIX") or not is_language_tag(tag):
        return ()
    language = parts[0].lower()
    if language == "en":
        return ()
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    region = next((p for p in parts[1:] if len(p) in (2, 3) and p != script), None)
    candidates = []
    if region:
        candidates.append(f"{language}_{region.upper()}")
    if script:
        candidates.append(f"{language}_{script.title()}")
        if not region and (language, script.lower()) in SCRIPT_REGION:
            candidates.append(SCRIPT_REGION[language, script.lower()])
    candidates.append(language)
    if not region and not script and language in DEFAULT_REGION:
        candidates.append(DEFAULT_REGION[language])
    return tuple(dict.fromkeys(candidates))


def _resolve(lang: str | None) -> list[str]:
    """The requested languages in order: explicit, then `set_language`, then the environment."""
    if lang:
        return [lang]
    if _active_lang:
        return [_active_lang]
    return _environment_languages()


@functools.cache
def _catalog(lang: str, dirs: tuple[Path, ...]) -> gettext.NullTranslations:
    for candidate in language_candidates(lang):
        for directory in dirs:
            path = directory / candidate / "LC_MESSAGES" / f"{DOMAIN}.mo"
            if path.is_file():
                try:
                    with open(path, "rb") as handle:
                        return gettext.GNUTranslations(handle)
                except (OSError, ValueError, UnicodeDecodeError):  # a corrupt catalog: English
                    continue
    return gettext.NullTranslations()


def catalog_language(lang: str | None = None) -> str | None:
    """The catalog folder that will translate for `lang` (None: English, the msgids themselves)."""
    dirs = locale_dirs()
    for requested in _resolve(lang):
        for candidate in language_candidates(requested):
            if any((d / candidate / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file() for d in dirs):
                return candidate
        if not language_candidates(requested):
            return None  # an explicit English or C locale ends the search
    return None


def translate(template: str, lang: str | None = None) -> str:
    dirs = locale_dirs()
    for requested in _resolve(lang):
        if not language_candidates(requested):
            return template
        catalog = _catalog(requested, dirs)
        if not isinstance(catalog, gettext.GNUTranslations):
            continue
        return catalog.gettext(template)
    return template


def source_hash(text: str) -> str:
    """The hash a translated rule page records of the English documentation it was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def translated_rule_page(code: str, lang: str | None = None) -> tuple[str, str] | None:
    """(recorded English hash, translated text) of a rule's documentation, if a catalog has it."""
    dirs = locale_dirs()
    for requested in _resolve(lang):
        candidates = language_candidates(requested)
        if not candidates:
            return None
        for candidate in candidates:
            for directory in dirs:
                path = directory / candidate / "rules" / f"{code}.md"
                if path.is_file():
                    text = path.read_text(encoding="utf-8")
                    match = _SOURCE_HASH.match(text)
                    recorded = match.group(1) if match else ""
                    return recorded, text[match.end():] if match else text
    return None


def rule_documentation(rule: Any, lang: str | None = None) -> str:
    """A rule's documentation (its docstring) in `lang`, or in English when it is not translated."""
    page = translated_rule_page(rule.code, lang)
    if page is None:
        return rule.documentation()
    return page[1].strip("\n")


def rule_summary(rule: Any, lang: str | None = None) -> str:
    """The first line of the rule's documentation in `lang`."""
    return rule_documentation(rule, lang).split("\n", 1)[0]
