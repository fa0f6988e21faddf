"""The rule registry: one module per rule, one code per meaning, never reused."""

from __future__ import annotations

from layerlint.static.rules.base import Rule
from layerlint.static.rules.ll001_reuse_shape_mismatch import ReuseShapeMismatch
from layerlint.static.rules.ll002_shared_normalization_state import SharedNormalizationState
from layerlint.static.rules.ll003_shared_weights import SharedWeights
from layerlint.static.rules.ll004_repeated_instance_in_container import RepeatedInstanceInContainer
from layerlint.static.rules.ll005_layer_created_in_forward import LayerCreatedInForward
from layerlint.static.rules.ll006_declared_size_mismatch import DeclaredSizeMismatch

ALL_RULES: tuple[type[Rule], ...] = (
    ReuseShapeMismatch,
    SharedNormalizationState,
    SharedWeights,
    RepeatedInstanceInContainer,
    LayerCreatedInForward,
    DeclaredSizeMismatch,
)

BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}


def find(code_or_name: str) -> type[Rule] | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())
