"""What each layer class is, as data: the probe measures it, the checker and the tracer read it.

A catalog file per framework (`data/<framework>.json`) maps a public class name to its observed
traits. Constructor arguments that change the answer (`affine=False`, `track_running_stats=False`,
`center=False`…) are `variants`: a `when` mapping of argument values and the traits it overrides.
"""

from __future__ import annotations

from layerlint import frameworks as _frameworks

import functools
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

DATA_DIR = Path(__file__).parent / "data"
FRAMEWORKS = tuple(_frameworks.FRAMEWORKS)  # names, in the order catalogs are listed

# Categories of the taxonomy, from safest to least safe to reuse.
STATELESS = "stateless"
PINS_RANK = "stateless-pins-rank"
RANDOM_STATE = "random-state"
WEIGHTS_FIRST_CALL = "weights-first-call"
WEIGHTS_CONSTRUCTOR = "weights-constructor"
RUNNING_STATISTICS = "running-statistics"
COMPOSITE = "composite"


@dataclass(frozen=True)
class LayerTraits:
    """The facts a rule needs about one layer class (and its constructor arguments)."""

    framework: str
    name: str
    category: str
    weights: bool = False  # trainable parameters
    statistics: bool = False  # non-trainable statistics updated by training calls
    normalizes: bool = False  # a normalization layer: its parameters are per-feature statistics
    random_state: bool = False
    sizing: str = "none"  # "first-call" (lazy build), "constructor", or "none"
    pins: frozenset[str] = frozenset()  # input properties fixed after the first call: "rank", "feature"
    reuse_error: str | None = None  # observed error on a feature mismatch, with {expected}/{received}
    source: str = "catalog"  # "catalog" (measured or seeded data), "inferred" (from user code)

    @property
    def stateful(self) -> bool:
        return self.weights or self.statistics

    @property
    def pins_feature(self) -> bool:
        return "feature" in self.pins


def _traits_from_entry(framework: str, name: str, entry: Mapping[str, Any]) -> LayerTraits:
    fields = {key: entry[key] for key in ("category", "weights", "statistics", "normalizes",
                                          "random_state", "sizing", "reuse_error") if key in entry}
    return LayerTraits(framework=framework, name=name, pins=frozenset(entry.get("pins", ())), **fields)


@dataclass(frozen=True)
class CatalogEntry:
    traits: LayerTraits
    variants: tuple[tuple[Mapping[str, Any], Mapping[str, Any]], ...] = ()

    def resolve(self, arguments: Mapping[str, Any]) -> LayerTraits:
        traits = self.traits
        for when, overrides in self.variants:
            if all(arguments.get(key, _MISSING) == value for key, value in when.items()):
                changes = dict(overrides)
                if "pins" in changes:
                    changes["pins"] = frozenset(changes["pins"])
                traits = replace(traits, **changes)
        return traits


_MISSING = object()


@dataclass(frozen=True)
class Catalog:
    framework: str
    versions: Mapping[str, str]
    entries: Mapping[str, CatalogEntry]
    unprobed: Mapping[str, str]

    def lookup(self, class_name: str, arguments: Mapping[str, Any] | None = None) -> LayerTraits | None:
        entry = self.entries.get(class_name)
        return entry.resolve(arguments or {}) if entry else None


def _parse(document: Mapping[str, Any]) -> Catalog:
    framework = document["framework"]
    entries = {}
    for name, raw in document["classes"].items():
        entry = CatalogEntry(
            traits=_traits_from_entry(framework, name, raw),
            variants=tuple((v["when"], {k: val for k, val in v.items() if k != "when"})
                           for v in raw.get("variants", ())),
        )
        entries[name] = entry
        for alias in raw.get("aliases", ()):
            entries[alias] = CatalogEntry(replace(entry.traits, name=alias), entry.variants)
    return Catalog(framework, document.get("versions", {}), entries, document.get("unprobed", {}))


@functools.lru_cache(maxsize=None)
def load(framework: str) -> Catalog:
    """The shipped catalog of one framework ("keras", "tf_keras" or "torch")."""
    with open(DATA_DIR / f"{framework}.json", encoding="utf-8") as handle:
        return _parse(json.load(handle))


def lookup(framework: str, class_name: str, arguments: Mapping[str, Any] | None = None) -> LayerTraits | None:
    return load(framework).lookup(class_name, arguments)


def catalog_fingerprint() -> str:
    """Changes whenever any catalog file changes; part of every cache key."""
    import hashlib

    digest = hashlib.sha256()
    for framework in FRAMEWORKS:
        digest.update((DATA_DIR / f"{framework}.json").read_bytes())
    return digest.hexdigest()[:16]
