"""`layerlint check --fix`: fix builders (pure functions from text and facts to a `Fix`) and the engine
that applies fixes to a fixpoint and writes files safely. See `builders` and `engine`.

The names are loaded on first use, so the rules can import `layerlint.fix.builders` without importing
the engine (which imports the checker, which imports the rules).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "split_instance_fix": "builders", "comprehension_fix": "builders", "move_to_init_fix": "builders",
    "FixResult": "engine", "apply_fixes": "engine",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"layerlint.fix.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'layerlint.fix' has no attribute {name!r}")
