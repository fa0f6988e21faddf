"""`layerlint explain BatchNormalization`: a layer class's verdict and the evidence behind it."""

from __future__ import annotations

import json

from layerlint.catalog import DATA_DIR, FRAMEWORKS, load
from layerlint.static.names import split_framework

VERDICTS = {
    "stateless": "stateless: safe to reuse anywhere",
    "stateless-pins-rank": "no state, but the first call fixes the input rank: safe to reuse on inputs of one rank",
    "random-state": "only random-generator state: safe to reuse",
    "weights-first-call": "trainable weights sized by the first call: reuse shares weights, and a "
                          "different feature size crashes",
    "weights-constructor": "trainable weights sized by the constructor: reuse shares weights, and a "
                           "different feature size crashes",
    "running-statistics": "running statistics: reuse silently mixes statistics, and a different feature "
                          "size crashes",
    "composite": "a container of layers: reuse shares everything it holds",
}


def _candidates(subject: str) -> list[tuple[str, str]]:
    split = split_framework(subject) if "." in subject else None
    if split is not None:
        return [split]
    name = subject.rsplit(".", 1)[-1]
    return [(framework, name) for framework in FRAMEWORKS]


def explain_class(subject: str) -> str | None:
    blocks = []
    for framework, name in _candidates(subject):
        traits = load(framework).lookup(name)
        if traits is None:
            continue
        document = json.loads((DATA_DIR / f"{framework}.json").read_text(encoding="utf-8"))
        entry = document["classes"].get(name) or next(
            (e for e in document["classes"].values() if name in e.get("aliases", ())), {})
        lines = [f"{framework}: {name} — {VERDICTS.get(traits.category, traits.category)}",
                 f"  category: {traits.category}; weights: {traits.weights}; running statistics: "
                 f"{traits.statistics}; sized at: {traits.sizing}; first call pins: "
                 f"{', '.join(sorted(traits.pins)) or 'nothing'}"]
        if traits.reuse_error:
            lines.append(f"  observed error on a mismatched reuse: {traits.reuse_error}")
        for variant in entry.get("variants", ()):
            when = ", ".join(f"{k}={v!r}" for k, v in variant["when"].items())
            lines.append(f"  with {when}: {variant.get('category', 'same category')} "
                         f"(overrides: {', '.join(k for k in variant if k != 'when')})")
        for key, value in (entry.get("evidence") or {}).items():
            lines.append(f"  evidence {key}: {value}")
        versions = ", ".join(f"{k} {v}" for k, v in document.get("versions", {}).items())
        lines.append(f"  measured on: {versions}; {document.get('generated_by', '')}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) if blocks else None
