"""The result cache of `check`: a file whose stamp (inode, size, modification and change times), and
the stamps of the files its analysis read or looked for (a parent class's module), are unchanged is
not read again. The change time moves on a rename or a `touch -r`, so contents swapped between files
of equal size and time are still seen.

Keyed by the layerlint version, the Python version, the settings and the catalog, so a change to any
of them starts a fresh cache. Stored as JSON, never pickle: a cache folder found in a checked-out tree
must not be able to run code, and an entry that would not render is dropped. Writes are atomic
(temporary file, then rename), so two runs sharing one cache never see half a file; the last one to
finish keeps its index. The cache folder is layerlint's own: a folder or `.gitignore` there that is a
symbolic link (a repository can commit one) is never followed, and a `.gitignore` is written only
into a folder layerlint created.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable

from layerlint._version import __version__
from layerlint.catalog import catalog_fingerprint
from layerlint.diagnostics import Diagnostic, Span, from_record, renders_safely, to_record

DEFAULT_DIRECTORY = ".layerlint_cache"


def _stat_key(path: str) -> list[int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_mtime_ns, status.st_size, status.st_ino, status.st_ctime_ns]


def _respelled(diagnostic: Diagnostic, stored: str, path: str) -> Diagnostic:
    """The same finding, with the file named as this run names it (`a.py` or `/abs/a.py`)."""
    def span(old: Span) -> Span:
        return dataclasses.replace(old, path=path) if old.path == stored else old

    return dataclasses.replace(diagnostic, span=span(diagnostic.span), related=tuple(
        dataclasses.replace(r, span=span(r.span)) for r in diagnostic.related))


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """layerlint's own source files, by name, size and time: in a development checkout the version
    stays the same while the rules change, and results of the old rules must not be served."""
    package = Path(__file__).resolve().parent.parent
    stamps = []
    for path in sorted(package.rglob("*.py")):
        try:
            status = path.stat()
        except OSError:
            continue
        stamps.append(f"{path.relative_to(package)}:{status.st_size}:{status.st_mtime_ns}")
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()


class Cache:
    def __init__(self, directory: str | os.PathLike[str], settings: str):
        if not str(directory):  # `--cache-dir ""`: not the current folder (it would get a `.gitignore`)
            raise ValueError("the cache folder must not be empty")
        key = hashlib.sha256("\0".join([
            __version__, sys.version, settings, catalog_fingerprint(), code_fingerprint(),
            os.environ.get("TF_USE_LEGACY_KERAS", ""),
        ]).encode()).hexdigest()[:20]
        self.root = Path(directory)
        self.index_path = self.root / f"index-{key}.json"
        self.entries: dict[str, list[Any]] = self._load()
        self._stats: dict[str, list[int] | None] = {}
        self._dirty = False

    def _load(self) -> dict[str, list[Any]]:
        try:
            if self.root.is_symlink():
                return {}
            descriptor = os.open(self.index_path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(descriptor, encoding="utf-8") as handle:
                data = json.load(handle)
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _stat(self, path: str) -> list[int] | None:
        if path not in self._stats:
            self._stats[path] = _stat_key(path)
        return self._stats[path]

    def lookup(self, path: str, settings: str = "") -> list[Diagnostic] | None:
        """The stored findings when nothing they depend on changed; None otherwise, and for any
        entry this version cannot read (the cache is a hint, never a reason to fail)."""
        try:
            stamp, dependencies, records, stored_as, stored_settings = self.entries[os.path.abspath(path)]
            if stored_settings != settings or stamp != self._stat(path) or any(
                    self._stat(d) != s for d, s in dependencies):
                return None
            found = [from_record(record) for record in records]
            if not all(renders_safely(d) for d in found):
                return None
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None
        return [_respelled(d, stored_as, path) for d in found] if stored_as != path else found

    def store(self, path: str, diagnostics: list[Diagnostic], dependencies: Iterable[str] = (),
              settings: str = "") -> None:
        stamp = self._stat(path)
        if stamp is None:
            return
        deps = [[d, self._stat(d)] for d in sorted(set(dependencies)) if d != os.path.abspath(path)]
        self.entries[os.path.abspath(path)] = [stamp, deps, [to_record(d) for d in diagnostics], path,
                                               settings]
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        try:
            created = self._make_folder()
            if created:
                descriptor = os.open(self.root / ".gitignore",
                                     os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                with os.fdopen(descriptor, "w", encoding="utf-8") as ignore:
                    ignore.write("# Created by layerlint: the result cache.\n*\n")
            if self.root.is_symlink():
                return
            handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".index-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self.entries, out, separators=(",", ":"))
            os.replace(temporary, self.index_path)
        except OSError:  # a read-only tree, or a cache folder that is not ours: run without a cache
            pass

    def _make_folder(self) -> bool:
        """Creates the cache folder; True when this call created it (only then is it ours to put a
        `.gitignore` in). A symbolic link in its place is refused."""
        if self.root.is_symlink():
            raise OSError("the cache folder is a symbolic link")
        try:
            self.root.mkdir(parents=True)
        except FileExistsError:
            if not self.root.is_dir() or self.root.is_symlink():
                raise
            return False
        return True
