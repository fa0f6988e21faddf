"""A layer class's catalog traits said in three plain lines: what it holds, what reusing one instance
does, what to do. `layerlint explain CLASS` and the editor hover print these first; the probe's
evidence stays behind `--details` (a user asking "may I reuse this?" wants the answer, not the
measurements behind it).

The framework's error is quoted from the catalog's template with the sizes written as N (the size
the layer is fixed to) and M (the other input's size), never with the probe's own numbers.
"""

from __future__ import annotations

import string
from typing import Any

from layerlint.catalog import (COMPOSITE, PINS_RANK, RANDOM_STATE, RUNNING_STATISTICS, STATELESS,
                               WEIGHTS_CONSTRUCTOR, WEIGHTS_FIRST_CALL, LayerTraits)
from layerlint.i18n import N_, translate

_HOLDS = {
    STATELESS: N_("nothing: no weights and no state"),
    PINS_RANK: N_("no weights and no state, but its first call fixes the input's {pins}"),
    RANDOM_STATE: N_("only a random-number generator, no weights"),
    WEIGHTS_FIRST_CALL: N_("trainable weights, created by its first call for that input's {pins}"),
    WEIGHTS_CONSTRUCTOR: N_("trainable weights, sized by its constructor"),
    COMPOSITE: N_("other layers: it holds what they hold"),
}
_HOLDS_STATISTICS = N_("running statistics (the moving mean and variance), updated by every training call")
_HOLDS_STATISTICS_AND_WEIGHTS = N_("running statistics (the moving mean and variance), updated by every "
                                   "training call, and trainable affine parameters (scale and offset)")

_REUSE = {
    STATELESS: N_("safe: every call computes afresh, whatever the input's size"),
    PINS_RANK: N_("safe for inputs of the same {pins}; another {pins} raises an error"),
    RANDOM_STATE: N_("safe: the call sites draw from one generator (each call still gets its own random values)"),
    WEIGHTS_FIRST_CALL: N_("every call site shares one set of weights, trained by all of them"),
    WEIGHTS_CONSTRUCTOR: N_("every call site shares one set of weights, trained by all of them"),
    RUNNING_STATISTICS: N_("every call site updates the same statistics, so at inference each one is "
                           "normalized with a blend of all of them"),
    COMPOSITE: N_("as for the layers it wraps"),
}
_REUSE_CRASH = N_("{reuse}; an input with another feature size raises {error}")

_DO = {
    STATELESS: N_("nothing: one instance may serve every call site"),
    PINS_RANK: N_("nothing, as long as every call site passes inputs of the same {pins}"),
    RANDOM_STATE: N_("nothing: one instance may serve every call site"),
    WEIGHTS_FIRST_CALL: N_("give each call site its own {cls}, unless sharing the weights is intended "
                           "(siamese towers, tied embeddings: then list it in allow-shared)"),
    WEIGHTS_CONSTRUCTOR: N_("give each call site its own {cls}, unless sharing the weights is intended "
                            "(siamese towers, tied embeddings: then list it in allow-shared)"),
    RUNNING_STATISTICS: N_("give each call site its own {cls}"),
    COMPOSITE: N_("check the layers it wraps"),
}

_PINS = {"rank": N_("rank"), "feature": N_("feature size")}

# Values shown for a catalog error template's placeholders: no size of the probe's own layer.
_ERROR_PLACEHOLDERS = {"expected": "N", "received": "M", "received_shape": "(…, M)", "axis": "…",
                       "layer": "…", "class": None}


def _pins(traits: LayerTraits, lang: str | None) -> str:
    names = [translate(_PINS.get(pin, pin), lang) for pin in sorted(traits.pins)]
    return translate(N_(" and "), lang).join(names) if names else translate(_PINS["rank"], lang)


def framework_error(template: str | None, cls: str) -> str | None:
    """A catalog error template with N and M for the sizes (every other placeholder elided)."""
    if not template:
        return None
    values = dict(_ERROR_PLACEHOLDERS, **{"class": cls})
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    try:
        return template.format(**{name: values.get(name, "…") for name in fields})
    except (ValueError, IndexError, KeyError):  # a malformed template: quote it as it is
        return template


def lines(traits: LayerTraits, lang: str | None = None, full_error: bool = True) -> list[str]:
    """[holds, reuse, do]: each a sentence without its label (see `labelled`). Without `full_error`
    the framework's error is named by its type only (a hover has no room for the message)."""
    category, cls = traits.category, traits.name
    args: dict[str, Any] = {"pins": _pins(traits, lang), "cls": cls}
    if category == RUNNING_STATISTICS or traits.statistics:
        holds = translate(_HOLDS_STATISTICS_AND_WEIGHTS if traits.weights else _HOLDS_STATISTICS, lang)
    else:
        holds = translate(_HOLDS.get(category, _HOLDS[COMPOSITE]), lang).format(**args)
    reuse = translate(_REUSE.get(category, _REUSE[COMPOSITE]), lang).format(**args)
    error = framework_error(traits.reuse_error, cls) if traits.pins_feature else None
    if error and not full_error:
        error = error.split(":", 1)[0]
    if error:
        reuse = translate(_REUSE_CRASH, lang).format(reuse=reuse, error=error)
    do = translate(_DO.get(category, _DO[COMPOSITE]), lang).format(**args)
    return [holds, reuse, do]


def labelled(traits: LayerTraits, lang: str | None = None, full_error: bool = True) -> list[str]:
    """The three lines with their labels: `holds: …`, `reuse: …`, `do: …`."""
    labels = (N_("holds: {text}"), N_("reuse: {text}"), N_("do: {text}"))
    return [translate(label, lang).format(text=text)
            for label, text in zip(labels, lines(traits, lang, full_error))]


def sizes_note(traits: LayerTraits, lang: str | None = None) -> str | None:
    """Says what N and M stand for, when the reuse line quotes an error with them."""
    if not (traits.pins_feature and traits.reuse_error):
        return None
    return translate(N_("(N: the feature size the instance is fixed to; M: the other input's)"), lang)
