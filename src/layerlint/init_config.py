"""`layerlint init`: start a project's configuration with every setting shown, commented out.

Where it goes:
* a `pyproject.toml` in the folder without `[tool.layerlint]`: the table is appended, and every
  byte already in the file stays as it was (the file's line endings are used for the new lines);
* no `pyproject.toml`: a new `layerlint.toml`. Creating a `pyproject.toml` instead could change how
  pip builds a project that has only a `setup.py`, so layerlint leaves that decision to the user.

It refuses, changing nothing, when the folder is already configured (`[tool.layerlint]` in
`pyproject.toml`, or a `layerlint.toml`), when `pyproject.toml` is not valid TOML (appending to a
broken file would hide where it broke), or when the file is a symbolic link. The write is atomic.
"""

from __future__ import annotations

import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from layerlint.writes import replace_file, write_file
from layerlint.diagnostics import Text
from layerlint.i18n import N_

# Each setting with its default or an example; `config.py` is the reference for what they mean.
SETTINGS = """\
# layerlint settings: https://layerlint.readthedocs.io/ (or `layerlint check --help`).
# Uncomment what you need; command-line options override these values.

# Rules to run: codes or prefixes ("ALL" for every rule). Default: every rule on by default.
# select = ["LL0"]
# Add rules to the default set; LL003 (shared weights, often intended) is off by default.
# extend-select = ["LL003"]
# Turn rules off.
# ignore = ["LL005"]
# Turn rules off for some files (glob patterns, relative to this file's folder).
# per-file-ignores = { "tests/*" = ["LL002"] }
# More files and folders to skip, besides virtual envs, build, cache and VCS folders.
# extend-exclude = ["generated/"]
# Report a rule at another severity: "error", "warning" or "info".
# severity = { LL002 = "error" }
# Intended sharing, never reported: attributes (self.encoder) or layer classes.
# allow-shared = ["self.encoder", "SiameseTower"]
# Language of the messages ("en", "zh"); default: LAYERLINT_LANG, then the locale.
# lang = "zh"
"""

PYPROJECT = "pyproject.toml"
LAYERLINT_TOML = "layerlint.toml"


class InitError(Exception):
    """The folder is already configured or its file cannot be used; nothing was written."""

    def __init__(self, text: Text):
        super().__init__(text.render())
        self.text = text


def init(folder: str = ".") -> tuple[str, str]:
    """Write the commented settings into `folder`; return the file written and the text added."""
    pyproject = os.path.join(folder, PYPROJECT)
    standalone = os.path.join(folder, LAYERLINT_TOML)
    if os.path.lexists(standalone):
        raise InitError(Text(N_("{path} already configures layerlint; not changing it"), {"path": standalone}))
    if os.path.lexists(pyproject):
        existing = _read(pyproject)
        added = _table_for(existing)
        _write(pyproject, existing + added.encode("utf-8"), existing)
        return pyproject, added
    _write(standalone, SETTINGS.encode("utf-8"), None)
    return standalone, SETTINGS


def done_message(path: str) -> Text:
    """What `layerlint init` prints after writing."""
    return Text(N_("wrote the layerlint settings, all commented out, to {path}"), {"path": path})


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        document = tomllib.loads(data.decode("utf-8"))
    except OSError as error:
        raise InitError(Text(N_("{path}: cannot read: {reason}"),
                             {"path": path, "reason": error.strerror or str(error)})) from error
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InitError(Text(N_("{path} is not valid TOML ({reason}); fix it before adding [tool.layerlint]"),
                             {"path": path, "reason": str(error)})) from error
    tool = document.get("tool")
    if isinstance(tool, dict) and "layerlint" in tool:
        raise InitError(Text(N_("{path} already has a [tool.layerlint] table; not changing it"), {"path": path}))
    return data


def _table_for(existing: bytes) -> str:
    """The `[tool.layerlint]` table to append, after a blank line, in the file's line endings."""
    newline = "\r\n" if b"\r\n" in existing else "\n"
    lead = "" if not existing else (newline if existing.endswith(b"\n") else newline * 2)
    return lead + ("[tool.layerlint]\n" + SETTINGS).replace("\n", newline)


def _write(path: str, data: bytes, existing: bytes | None) -> None:
    """`existing`: what `path` held when it was read; the write is refused if it changed since."""
    try:
        if existing is None:
            write_file(path, data)
        else:
            replace_file(path, data, existing)
    except OSError as error:
        raise InitError(Text(N_("{path}: cannot write: {reason}"),
                             {"path": path, "reason": error.strerror or str(error)})) from error
