"""What the probe's catalog says to people: the table of `layerlint probe --format table|markdown`, and
`layerlint explain CLASS` (a three-line verdict, the evidence with --details)."""

from __future__ import annotations

import json

from layerlint.catalog import (
    COMPOSITE,
    DATA_DIR,
    FRAMEWORKS,
    PINS_RANK,
    RANDOM_STATE,
    RUNNING_STATISTICS,
    STATELESS,
    WEIGHTS_CONSTRUCTOR,
    WEIGHTS_FIRST_CALL,
    verdict,
)
from layerlint.catalog.probe.adapters import ProbeError
from layerlint.i18n import N_, translate

# ---------------------------------------------------------------------------------------------
# Rendering


def _row(name: str, entry: dict) -> list[str]:
    def flag(value):
        return "yes" if value else "-"

    pins = ",".join(entry.get("pins", ())) or "-"
    variants = len(entry.get("variants", ()))
    return [name, entry["category"], flag(entry.get("weights")), flag(entry.get("statistics")),
            flag(entry.get("normalizes")), flag(entry.get("random_state")), entry.get("sizing", "none"),
            pins, str(variants) if variants else "-", entry.get("reuse_error") or "-"]


_HEADER = ["class", "category", "weights", "stats", "norm", "rng", "sizing", "pins", "variants",
           "reuse error"]


def category_counts(document: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in document["classes"].values():
        counts[entry["category"]] = counts.get(entry["category"], 0) + 1
    return dict(sorted(counts.items()))


def render(document: dict, fmt: str) -> str:
    """The document as "json", "table" (plain text) or "markdown"."""
    if fmt == "json":
        return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    rows = [_row(name, entry) for name, entry in sorted(document["classes"].items())]
    versions = ", ".join(f"{k} {v}" for k, v in document.get("versions", {}).items())
    counts = ", ".join(f"{k}: {v}" for k, v in category_counts(document).items())
    if fmt == "markdown":
        lines = [f"## {document['framework']} ({versions})", "",
                 f"{len(rows)} classes probed, {len(document.get('unprobed', {}))} not probed. {counts}", "",
                 "| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
        for row in rows:
            cells = [c.replace("|", "\\|") for c in row]
            cells[0] = f"`{cells[0]}`"
            if cells[-1] != "-":
                cells[-1] = f"`{cells[-1]}`"
            lines.append("| " + " | ".join(cells) + " |")
        if document.get("unprobed"):
            lines += ["", "Not probed:", ""]
            lines += [f"- `{k}`: {v}" for k, v in sorted(document["unprobed"].items())]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        rows_cut = [row[:-1] + [row[-1] if len(row[-1]) <= 60 else row[-1][:57] + "..."] for row in rows]
        widths = [max(len(str(r[i])) for r in [_HEADER] + rows_cut) for i in range(len(_HEADER))]
        lines = [f"{document['framework']} ({versions}): {counts}",
                 "  ".join(h.ljust(w) for h, w in zip(_HEADER, widths)).rstrip()]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows_cut]
        if document.get("unprobed"):
            lines.append("not probed:")
            lines += [f"  {k}: {v}" for k, v in sorted(document["unprobed"].items())]
        return "\n".join(lines) + "\n"
    raise ProbeError(f"layerlint probe: unknown format {fmt!r} (table, json or markdown)")


# ---------------------------------------------------------------------------------------------
# explain


_QUALIFIERS = {"keras.layers": "keras", "keras": "keras", "tf.keras.layers": "keras",
               "tensorflow.keras.layers": "keras", "tf_keras.layers": "tf_keras",
               "tf_keras": "tf_keras", "torch.nn": "torch", "nn": "torch", "torch": "torch"}


def _load_document(framework: str) -> dict | None:
    path = DATA_DIR / f"{framework}.json"
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def explain_class(framework: str | None, name: str, details: bool = False, lang: str | None = None) -> str | None:
    """A class's verdict from the shipped catalog, or None if the class is unknown.

    The verdict comes first, in three lines (what it holds, what reuse does, what to do); the
    probe's evidence only with `details` (`layerlint explain --details CLASS`). `name` may be
    qualified (`torch.nn.BatchNorm2d`, `keras.layers.Dense`); unqualified, every framework that has
    the class answers. `lang` translates the verdict, not the evidence."""
    if "." in name:
        prefix, name = name.rsplit(".", 1)
        framework = _QUALIFIERS.get(prefix, framework)
    frameworks = [framework] if framework else list(FRAMEWORKS)
    parts = []
    for fw in frameworks:
        document = _load_document(fw)
        if not document:
            continue
        classes = document["classes"]
        canonical = name if name in classes else next(
            (k for k, v in classes.items() if name in v.get("aliases", ())), None)
        if canonical is None:
            if name in document.get("unprobed", {}):
                parts.append(f"{fw}: {name} was not probed: {document['unprobed'][name]}")
            continue
        parts.append(_explain_entry(fw, document, canonical, name, details, lang))
    return "\n\n".join(parts) if parts else None


_CATEGORY_TEXT = {
    STATELESS: "no state and no input constraint: one instance can be reused anywhere",
    PINS_RANK: "no state, but the first call fixes an input property a later call must match",
    RANDOM_STATE: "only random-generator state: reuse shares the generator (safe, not independent)",
    WEIGHTS_FIRST_CALL: "trainable weights sized by the first call: reuse shares them and pins the input",
    WEIGHTS_CONSTRUCTOR: "trainable weights sized by the constructor: reuse shares them",
    RUNNING_STATISTICS: "statistics updated by training calls: reuse mixes the statistics of all call sites",
    COMPOSITE: "wraps other layers: its reusability is that of the wrapped layers",
}
_MODULES = {"keras": "keras.layers", "tf_keras": "tf_keras.layers", "torch": "torch.nn"}


def _explain_entry(framework: str, document: dict, canonical: str, asked: str, details: bool = False,
                   lang: str | None = None) -> str:
    entry = document["classes"][canonical]
    qualified = f"{_MODULES[framework]}.{asked}"
    versions = ", ".join(f"{k} {v}" for k, v in document.get("versions", {}).items())
    title = qualified + (f" (= {canonical})" if asked != canonical else "")
    traits = _catalog_traits(framework, canonical)
    lines = [f"{title}  [{versions}]: {entry['category']}"]
    lines += [f"  {line}" for line in verdict.labelled(traits, lang)]
    note = verdict.sizes_note(traits, lang)
    if note:
        lines.append(f"  {note}")
    lines += [f"  {line}" for line in _variant_lines(framework, canonical, entry, lang)]
    if details:
        lines.append("  " + translate(N_("details (what the probe measured):"), lang))
        lines += _evidence_lines(document, entry, asked)
    else:
        lines.append("  " + translate(N_("details: layerlint explain --details {name}"), lang).format(name=qualified))
    return "\n".join(lines)


def _catalog_traits(framework: str, canonical: str, arguments: dict | None = None):
    from layerlint.catalog import lookup

    return lookup(framework, canonical, arguments)


def _variant_lines(framework: str, canonical: str, entry: dict, lang: str | None) -> list[str]:
    """One line per constructor-argument variant: what the layer holds with those arguments."""
    out = []
    for variant in entry.get("variants", ()):
        when = ", ".join(f"{k}={v!r}" for k, v in variant["when"].items())
        holds = verdict.lines(_catalog_traits(framework, canonical, variant["when"]), lang)[0]
        out.append(translate(N_("with {arguments}: {holds}"), lang).format(arguments=when, holds=holds))
    return out


def _evidence_lines(document: dict, entry: dict, asked: str) -> list[str]:
    """The catalog entry as the probe recorded it: raw, for those who want to check the verdict."""
    lines = [f"    category: {entry['category']} - {_CATEGORY_TEXT.get(entry['category'], '')}",
             f"    weights: {entry.get('weights', False)}  statistics: {entry.get('statistics', False)}  "
             f"normalizes: {entry.get('normalizes', False)}  random state: {entry.get('random_state', False)}",
             f"    sizing: {entry.get('sizing', 'none')}  pins: {', '.join(entry.get('pins', ())) or 'nothing'}"]
    if entry.get("reuse_error"):
        lines.append(f"    reuse error: {entry['reuse_error']}")
    if entry.get("reuse_error_detail"):
        lines.append(f"                 {entry['reuse_error_detail']}")
    for variant in entry.get("variants", ()):
        when = ", ".join(f"{k}={v!r}" for k, v in variant["when"].items())
        changes = ", ".join(f"{k}={v!r}" for k, v in variant.items() if k != "when")
        lines.append(f"    with {when}: {changes}")
    evidence = entry.get("evidence", {})
    if evidence:
        lines.append("    evidence:")
        if "arguments" in evidence:
            args = ", ".join(f"{k}={v}" for k, v in evidence["arguments"].items())
            lines.append(f"      built as {asked}({args}), input layout {evidence.get('input_layout')}")
        first = evidence.get("first_call", {})
        if first:
            lines.append(f"      first call {first.get('input')}: {first.get('outcome')}; "
                         f"state built: {evidence.get('first_call_built_state')}")
        state = evidence.get("state_after_first_call") or {}
        if state:
            lines.append("      state after first call: " + ", ".join(f"{k} {v}" for k, v in state.items()))
        for vname, record in evidence.get("variations", {}).items():
            text = f"      {vname} {record.get('input')}: {record.get('outcome')}"
            if "control" in record:
                text += f" (fresh instance: {record['control']})"
            lines.append(text)
        training = evidence.get("training_call")
        if training:
            lines.append(f"      training call: statistics changed {training.get('non_trainable_changed') or 'none'}, "
                         f"rng state changed {training.get('rng_state_changed') or 'none'}, "
                         f"normalized {training.get('output_normalized') or 'no'}")
    lines.append(f"    ({document.get('generated_by', '')})")
    return lines
