"""A byte-level test that lets `check` skip, without parsing, files that cannot hold a finding.

Every finding needs a layer the analyzer can judge, and the analyzer only knows a layer it sees
constructed: a catalog class (or a `Sequential`) called — `Dense(`, `nn.Linear(` — or imported under
another name (`import BatchNorm2d as BN`), or a forward method (`def call`, `def forward`) that may use
layers built by a parent class in another file. A file with none of these cannot produce a finding,
so it is not parsed. Identifiers are ASCII, so the test works on the raw bytes whatever the file's
encoding. `tests/test_prefilter.py` proves on every example, rule case and eval case that the filter
loses no finding.

Known limit: a file that only instantiates a layer class defined in another file (no forward method,
no catalog class) is skipped; the analyzer does not follow such constructions across files anyway.
"""

from __future__ import annotations

import functools
import re

from layerlint.catalog import FRAMEWORKS, load

# Possessive quantifiers: a name not followed by `(` is given up at once instead of being retried at
# every shorter length (a sixth of the scan).
_CALLED = re.compile(rb"([A-Z][A-Za-z0-9_]*+)\s*+\(")
_IMPORTED_AS = re.compile(rb"\b([A-Z][A-Za-z0-9_]*+)\s++as\s")
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
    names = layer_class_names()
    return not names.isdisjoint(_CALLED.findall(data)) or not names.isdisjoint(_IMPORTED_AS.findall(data))
