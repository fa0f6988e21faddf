"""A byte-level test that lets `check` skip, without parsing, files that cannot hold a finding.

Every finding needs a layer the analyzer can judge: a catalog class (or a `Sequential`) named in the
file, or a forward method that may use layers built by a parent class in another file. A file that
names no catalog class and defines no `call`/`forward` cannot produce one, so it is not parsed.
Identifiers are ASCII, so the test works on the raw bytes whatever the file's encoding. The test
suite proves on every example and rule case that the filter loses no finding.
"""

from __future__ import annotations

import functools
import re

from layerlint.catalog import FRAMEWORKS, load

_CAPITALISED = re.compile(rb"[A-Z][A-Za-z0-9_]+")
_FORWARD = re.compile(rb"def\s+(?:call|forward|__call__)\b")


@functools.lru_cache(maxsize=None)
def layer_class_names() -> frozenset[bytes]:
    names = {"Sequential"}
    for framework in FRAMEWORKS:
        names.update(load(framework).entries)
    return frozenset(name.encode() for name in names)


def may_hold_findings(data: bytes) -> bool:
    if _FORWARD.search(data):
        return True
    return not layer_class_names().isdisjoint(_CAPITALISED.findall(data))
