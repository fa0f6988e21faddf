"""Runtime findings follow the same configuration as `check`: `[tool.layerlint]` (or
`layerlint.toml`) `select`, `extend-select`, `ignore`, `per-file-ignores`, `severity` and
`allow-shared`, then the caller's `select=` / `ignore=` / `allow=`.

The configuration is the one that applies to `config_path` (default: the current folder, the
project being run). `per-file-ignores` match the file of each finding. `allow` also matches the
runtime's own names for an instance: its module path (`encoder.norm`, or a glob over it).

`use_default_selection` decides what an unset `select` means: the CLI follows `check` (rules off by
default, LL003, stay off); the Python API keeps every finding it judged, since a caller reads the
report as a whole (`report.findings` is already limited to warnings and errors).
"""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable, Sequence

from layerlint.diagnostics import Diagnostic


def _allowed(diagnostic: Diagnostic, patterns: Sequence[str]) -> bool:
    """`allow` names intended sharing: an instance path (`encoder.norm`, or its last part `norm`),
    a layer class (`LayerNorm`), or a glob over the path (`blocks.*.norm`). `self.` is optional,
    as in the `allow-shared` of the static check."""
    paths = [diagnostic.layer or ""]
    for related in diagnostic.related:  # "the same instance is also named a, b"
        if "aliases" in related.message.args:
            paths += str(related.message.args["aliases"]).split(", ")
    class_name = diagnostic.layer_class or ""
    for pattern in patterns:
        bare = pattern[5:] if pattern.startswith("self.") else pattern
        if bare == class_name or any(bare == path or path.endswith("." + bare) or fnmatch.fnmatchcase(path, bare)
                                     for path in paths if path):
            return True
    return False


def configure(diagnostics: Iterable[Diagnostic], *, select: Sequence[str] | None = None,
              ignore: Sequence[str] = (), allow: Sequence[str] = (), extend_select: Sequence[str] = (),
              config_path: str | None = None,
              use_default_selection: bool = False) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(kept, hidden): the findings the configuration and arguments keep, and those they leave out,
    judged by `config.resolve` and `FileSettings.filter` as `check` judges its findings.

    Raises `layerlint.config.ConfigError` for a configuration that cannot be used."""
    from layerlint.config import Overrides, resolve, settings_for

    project = settings_for(config_path or os.getcwd())
    if select is None and project.select is None and not use_default_selection:
        select = ("LL",)  # every runtime rule, LL003 included
    overrides = Overrides(select=None if select is None else tuple(select), extend_select=tuple(extend_select),
                          ignore=tuple(ignore))
    allowed = tuple(allow) + project.allow_shared
    kept: list[Diagnostic] = []
    hidden: list[Diagnostic] = []
    for diagnostic in diagnostics:
        shown = [] if _allowed(diagnostic, allowed) else resolve(
            diagnostic.span.path, overrides, settings=project).filter([diagnostic])
        kept.extend(shown)
        if not shown:
            hidden.append(diagnostic)
    return sorted(kept, key=lambda d: (-d.severity, d.sort_key)), hidden
