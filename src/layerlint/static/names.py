"""Resolve names, not spellings: `nn.BatchNorm2d`, `torch.nn.BatchNorm2d` and an aliased import are one
qualified name, and a qualified name belongs to one framework's namespace."""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass, field
from typing import Iterable

from layerlint.frameworks import FRAMEWORKS

# Qualified-name prefixes of each framework's layer namespace. `tensorflow.keras` is decided later:
# on TensorFlow >= 2.16 it is Keras 3 unless TF_USE_LEGACY_KERAS=1.
_FRAMEWORK_ROOTS = (
    ("tensorflow.keras.", "tf.keras"),
    ("tensorflow.python.keras.", "tf.keras"),
    *((prefix, framework.name) for framework in FRAMEWORKS.values() for prefix in framework.namespaces),
)

FRAMEWORK_PACKAGES = frozenset({"tensorflow", *(framework.module for framework in FRAMEWORKS.values())})


def legacy_keras_requested() -> bool:
    return os.environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true", "yes")


def effective_framework(namespace: str) -> str:
    """The framework that really runs for a namespace: `tf.keras` is Keras 3 on TensorFlow >= 2.16."""
    if namespace == "tf.keras":
        return "tf_keras" if legacy_keras_requested() else "keras"
    return namespace


def split_framework(qualified: str) -> tuple[str, str] | None:
    """`keras.src.layers.normalization.BatchNormalization` -> ("keras", "BatchNormalization")."""
    found = _namespace_and_name(qualified)
    return None if found is None else (effective_framework(found[0]), found[1])


@functools.lru_cache(maxsize=65536)
def _namespace_and_name(qualified: str) -> tuple[str, str] | None:
    """The prefix search of `split_framework`, memoized: it runs at every name the interpreter
    qualifies. The framework `tf.keras` stands for is decided at each call (the environment may change)."""
    for prefix, namespace in _FRAMEWORK_ROOTS:
        if qualified.startswith(prefix):
            tail = qualified[len(prefix):]
            if namespace == "torch" and tail.startswith("functional."):
                return None
            return namespace, tail.rsplit(".", 1)[-1]
    return None


@dataclass
class ImportMap:
    """Local name -> qualified name, from every import in a module (function-level ones included)."""

    names: dict[str, str] = field(default_factory=dict)
    star_modules: list[str] = field(default_factory=list)
    module: str = ""  # dotted name of the module itself, for relative imports
    package: bool = False  # the module is a package's `__init__`: `from . import x` is its own child

    @classmethod
    def from_nodes(cls, nodes: "Iterable[ast.Import | ast.ImportFrom]", module: str = "",
                   package: bool = False) -> "ImportMap":
        imports = cls(module=module, package=package)
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        imports.names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        imports.names[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = imports._absolute(node.module or "", node.level)
                for alias in node.names:
                    if alias.name == "*":
                        imports.star_modules.append(base)
                    else:
                        imports.names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        return imports

    def framework_names(self) -> set[str]:
        """Local names bound to a deep-learning framework or to something inside one."""
        return {name for name, qualified in self.names.items() if qualified.split(".")[0] in FRAMEWORK_PACKAGES}

    def frameworks(self) -> frozenset[str] | None:
        """The frameworks whose layers the module can name (`tensorflow` brings both Keras), or None
        when it imports none of them."""
        tops = {qualified.split(".")[0] for qualified in self.names.values()}
        tops.update(module.split(".")[0] for module in self.star_modules)
        found = {name for name, framework in FRAMEWORKS.items() if framework.module in tops}
        if "tensorflow" in tops:
            found.update(name for name, framework in FRAMEWORKS.items() if framework.module in ("keras", "tf_keras"))
        return frozenset(found) or None

    def star_imports_framework(self) -> bool:
        return any(module.split(".")[0] in FRAMEWORK_PACKAGES for module in self.star_modules)

    def _absolute(self, module: str, level: int) -> str:
        if not level:
            return module
        parts = self.module.split(".") if self.module else []
        parent = parts[: max(len(parts) - level + (1 if self.package else 0), 0)]
        return ".".join(parent + ([module] if module else []))

    def qualify(self, node: ast.expr) -> str | None:
        """The qualified name an expression like `tf.keras.layers.Dense` or `BN` stands for."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.names.get(node.id)
        if head is None:
            # `from keras.layers import *`: a capitalised name may be a layer class of that module.
            candidates = self.star_candidates(node.id) if node.id[:1].isupper() else []
            head = next((c for c in candidates if split_framework(c) is not None), None)
            if head is None:
                return None
        return ".".join([head, *reversed(parts)])

    def star_candidates(self, name: str) -> list[str]:
        return [f"{module}.{name}" for module in self.star_modules]
