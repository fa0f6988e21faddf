"""Where an installed package's module source is, found the way the import system would find it but
without importing anything.

A model file often derives from a class of an installed library (`keras_hub.models.Backbone`, a
company's own `mylib.BaseModel` in site-packages). Whether that class is a Keras layer or a torch module
decides whether the model's `call()`/`forward()` is read at all, and the only safe way to know is to
read the library's source: importing it would run its code (and a framework's start-up). So this module
maps a dotted module name to the `.py` file that `import` would load, by walking the same folders
`sys.path` lists — regular packages, single-file modules and namespace packages — and stops there.

Frameworks (their layers are known from the catalog), the standard library and compiled extension
modules are never looked into. `frameworks.*.library_bases` stays the fallback for libraries that are
not installed where layerlint runs.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path
from typing import Iterable, Sequence

from layerlint.static.names import FRAMEWORK_PACKAGES

_SKIPPED_TOPS = frozenset(sys.stdlib_module_names) | FRAMEWORK_PACKAGES | {"tf_keras", "tensorflow", "jax"}


def default_search_path(exclude: Iterable[Path] = ()) -> list[Path]:
    """The folders of `sys.path` that hold installed packages: not the current folder (the checked
    tree is read from its own roots), not the standard library, nothing under an excluded root."""
    stdlib = {Path(p).resolve() for key in ("stdlib", "platstdlib")
              if (p := sysconfig.get_paths().get(key))}
    excluded = [root.resolve() for root in exclude]
    found: list[Path] = []
    for entry in sys.path:
        if not entry:
            continue
        folder = Path(entry)
        try:
            if not folder.is_dir():
                continue
            resolved = folder.resolve()
        except OSError:
            continue
        if resolved in stdlib or resolved == Path.cwd().resolve():
            continue
        if any(resolved == root or root in resolved.parents for root in excluded):
            continue
        if resolved not in found:
            found.append(resolved)
    return found


def module_file(module: str, search_path: Sequence[Path]) -> Path | None:
    """The source file `import module` would load from `search_path`, or None (not installed, a
    skipped package, or compiled). For a package, its `__init__.py`."""
    parts = module.split(".")
    if not parts[0] or parts[0] in _SKIPPED_TOPS:
        return None
    folders: list[Path] = []
    for entry in search_path:
        package = entry / parts[0]
        if (package / "__init__.py").is_file():
            folders = [package]  # a regular package hides every later portion
            break
        if len(parts) == 1 and (entry / f"{parts[0]}.py").is_file():
            return entry / f"{parts[0]}.py"
        if package.is_dir():
            folders.append(package)  # a portion of a namespace package
    for index, part in enumerate(parts[1:], start=1):
        last = index == len(parts) - 1
        deeper: list[Path] = []
        for folder in folders:
            if (folder / part / "__init__.py").is_file():
                deeper = [folder / part]
                break
            if last and (folder / f"{part}.py").is_file():
                return folder / f"{part}.py"
            if (folder / part).is_dir():
                deeper.append(folder / part)
        folders = deeper
    for folder in folders:
        if (folder / "__init__.py").is_file():
            return folder / "__init__.py"
    return None

