"""A user block's layers sized by the construction that made it (`Block(7, 11)`).

A class's layers are read once per class (`Analyzer.class_attributes`), with its `__init__`
parameters unknown unless they have a default: `nn.BatchNorm1d(width_in)` is then of unknown size.
That summary is right for most questions and cheap. Only when one block instance is called twice in a
pass does the size matter (the second call of a `Block(7, 11)` fed 6 features crashes inside it), so
only then is its `__init__` run again on the literal arguments its construction states.
"""

from __future__ import annotations

from typing import Any

from layerlint.static.classes import ClassInfo
from layerlint.static.facts import Instance
from layerlint.static.shapes import UNKNOWN
from layerlint.static.values import NOTHING, ConstValue


def stated_arguments(instance: Instance) -> tuple[list[Any], dict[str, Any]] | None:
    """The construction's literal arguments as values (unknown ones as NOTHING), or None when it
    states no literal at all or passes `*args`/`**kwargs` (positions are then unknown)."""
    given = instance.arguments
    if given.has_star:
        return None
    positional = [NOTHING if value is UNKNOWN else ConstValue(value) for value in given.positional]
    keywords = {name: ConstValue(value) for name, value in given.keywords.items() if value is not UNKNOWN}
    if not keywords and all(value is NOTHING for value in positional):
        return None
    return positional, keywords


def sized_block(analyzer: Any, instance: Instance, frame: Any) -> ClassInfo | None:
    """The block's class bound to this construction's literal sizes, when it states any."""
    info = instance.class_of
    stated = stated_arguments(instance)
    if not isinstance(info, ClassInfo) or stated is None:
        return None
    return analyzer._bind_class(info, *stated, instance.node, frame, sized=True)
