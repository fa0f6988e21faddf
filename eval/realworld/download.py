"""Fetches the pinned wheels of the realworld corpora into a cache folder outside the repository
and unpacks each once. Only the package index is used (`pip download --no-deps`)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from corpora import Corpus

DEFAULT_CACHE = Path(os.environ.get("LAYERLINT_REALWORLD_CACHE", Path.home() / ".cache" / "layerlint-realworld"))


def source_folder(corpus: Corpus, cache: Path) -> Path:
    """The unpacked package folder of a corpus (downloaded and unpacked when missing)."""
    target = cache / "src" / corpus.requirement.replace("==", "-")
    folder = target / corpus.package
    if folder.is_dir():
        return folder
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wheel = _find_wheel(corpus, wheels) or _download(corpus, wheels)
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if m.startswith(corpus.package + "/") and m.endswith(".py")]
        archive.extractall(partial, members)
    os.replace(partial, target)  # an interrupted unpack never looks finished
    return folder


def _find_wheel(corpus: Corpus, wheels: Path) -> Path | None:
    name, version = corpus.requirement.split("==")
    stem = name.replace("-", "_")
    found = sorted(wheels.glob(f"{stem}-{version}-*.whl"))
    return found[0] if found else None


def _download(corpus: Corpus, wheels: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    "--dest", str(wheels), corpus.requirement], check=True)
    wheel = _find_wheel(corpus, wheels)
    if wheel is None:
        raise SystemExit(f"pip downloaded no wheel for {corpus.requirement}")
    return wheel
