"""Runtime findings follow the same configuration as `check`: `[tool.layerlint]` (or
`layerlint.toml`) `select`, `extend-select`, `ignore`, `per-file-ignores`, `severity` and
`allow-shared`, then the caller's `select=` / `ignore=` / `allow=`.

The configuration is the one that applies to `config_path` (default: the current folder, the
project being run). `per-file-ignores` match the file of each finding.

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
    args = diagnostic.message.args
    paths = [str(args.get("instance", ""))]
    for related in diagnostic.related:  # "the same instance is also named a, b"
        if "aliases" in related.message.args:
            paths += str(related.message.args["aliases"]).split(", ")
    class_name = str(args.get("class_name", ""))
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
    """(kept, hidden): the findings the configuration and arguments keep, and those they leave out.

    Raises `layerlint.config.ConfigError` for a configuration file that cannot be used.
    (One function on purpose: when the configuration API becomes `config.resolve(path, overrides)
    -> FileSettings` with `.filter(diagnostics)`, only this body changes.)"""
    from layerlint.config import settings_for, with_overrides

    settings = settings_for(config_path or os.getcwd())
    if select is None and settings.select is None and not use_default_selection:
        select = ("LL",)  # every runtime rule, LL003 included
    settings = with_overrides(settings, select, tuple(extend_select), tuple(ignore))
    from layerlint.static.rules import BY_CODE

    kept: list[Diagnostic] = []
    hidden: list[Diagnostic] = []
    for diagnostic in diagnostics:
        rule = BY_CODE.get(diagnostic.code)
        chosen = rule is None or settings.selection(diagnostic.span.path).enabled(rule)
        if chosen and not _allowed(diagnostic, tuple(allow) + settings.allow_shared):
            kept.append(diagnostic)
        else:
            hidden.append(diagnostic)
    applied = settings.apply(kept)
    hidden += [d for d in kept if not any(d is a or (d.code, d.span, d.message) == (a.code, a.span, a.message)
                                          for a in applied)]
    return sorted(applied, key=lambda d: (-d.severity, d.sort_key)), hidden
