"""`layerlint check --fix`: fix builders (pure functions from text and facts to a `Fix`, registered
under the names the rules' `FixSpec`s use) and the engine that applies fixes to a fixpoint."""

from __future__ import annotations

from layerlint.fix.builders import comprehension_fix, move_to_init_fix, split_instance_fix
from layerlint.fix.engine import FixResult, apply_fixes

__all__ = ["FixResult", "apply_fixes", "comprehension_fix", "move_to_init_fix", "split_instance_fix"]
