"""The classes of a checked module: what they derive from (a framework Model/Layer/Module, directly or
through other classes of the tree) and how a user layer class is judged by the layers it holds."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from layerlint import catalog
from layerlint.catalog import COMPOSITE, LayerTraits
from layerlint.static.facts import Instance
from layerlint import frameworks
from layerlint.frameworks import FRAMEWORKS
from layerlint.static.names import split_framework

if TYPE_CHECKING:
    from layerlint.static.analyzer import Analyzer


@dataclass(eq=False)
class ClassInfo:
    node: ast.ClassDef
    bases: list["ClassInfo | str"]
    framework: str | None = None  # set when a base resolves to a framework Model/Layer/Module
    analyzer: "Analyzer | None" = None  # the analyzer of the file that defines the class
    attributes: dict[str, Any] | None = None  # filled by running __init__/build abstractly
    _own_weights: bool | None = field(default=None, repr=False)
    _mro_cache: tuple | None = field(default=None, repr=False)
    _methods: dict[str, ast.FunctionDef] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.node.name

    def own_method(self, name: str) -> ast.FunctionDef | None:
        if self._methods is None:
            self._methods = _method_table(self.node)
        return self._methods.get(name)

    def makes_weights(self) -> bool:
        """Whether the class makes weights of its own (`self.add_weight(...)`, `nn.Parameter(...)`),
        found once per class; the class's text, when at hand, spares the walk of most classes."""
        if self._own_weights is None:
            lines = getattr(self.analyzer, "lines", None)
            text = "\n".join(lines[self.node.lineno - 1:self.node.end_lineno]) if lines is not None else None
            self._own_weights = (text is None or "add_weight" in text or "Parameter" in text) and _adds_weights(self.node)
        return self._own_weights

    def mro(self) -> Iterator["ClassInfo"]:
        seen: set[int] = set()
        stack: list[ClassInfo] = [self]
        while stack:
            info = stack.pop(0)
            if id(info) in seen:
                continue
            seen.add(id(info))
            yield info
            stack.extend(base for base in info.bases if isinstance(base, ClassInfo))

    def method(self, name: str) -> tuple[ast.FunctionDef, "ClassInfo"] | None:
        """Memoised once the bases are known (they are filled while the module's classes are
        collected, before any method is looked up); a lookup at every `self.x` was a hot spot."""
        mro = self._mro_cache
        if mro is None or mro[0] != len(self.bases):
            # The ancestors only, and the class's own methods as (method, None): a cache that held the
            # class itself would be a cycle, and each cycle kept a checked file's class tree alive
            # until the next full collection (most of the collector's work on transformers).
            mro = self._mro_cache = (len(self.bases), tuple(self.mro())[1:], {})
        found = mro[2].get(name, _UNSET)
        if found is _UNSET:
            own = self.own_method(name)
            found = (own, None) if own is not None else None
            for info in mro[1] if found is None else ():
                method = info.own_method(name)
                if method is not None:
                    found = (method, info)
                    break
            mro[2][name] = found
        if found is not None and found[1] is None:
            return found[0], self
        return found

    @property
    def is_layer(self) -> bool:
        return self.framework is not None


_UNSET = object()


def _method_table(node: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    """A class body's methods by name; the first definition, as the scan this replaces found it."""
    table: dict[str, ast.FunctionDef] = {}
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            table.setdefault(statement.name, statement)  # type: ignore[arg-type]
    return table


def framework_of_base(qualified: str) -> str | None:
    """The framework of a base class outside the checked tree: a framework's model base, or a known
    library's (`transformers.PreTrainedModel`: a torch module, read without the library installed)."""
    split = split_framework(qualified)
    if split is None:
        return frameworks.of_library_base(qualified)
    framework, name = split
    return framework if name in FRAMEWORKS[framework].model_bases or normalization_base(qualified) else None


def normalization_base(qualified: str) -> LayerTraits | None:
    """A framework normalization a user class derives from (`class FrozenBN(nn.BatchNorm2d)`): the
    subclass shares what its base shares, running statistics included (issue 15, point 1)."""
    split = split_framework(qualified)
    traits = catalog.lookup(*split) if split is not None else None
    return traits if traits is not None and traits.normalizes else None


def inherited_normalization(info: "ClassInfo") -> LayerTraits | None:
    for ancestor in info.mro():
        for base in ancestor.bases:
            if isinstance(base, str) and normalization_base(base) is not None:
                return normalization_base(base)
    return None


def _adds_weights(node: ast.ClassDef) -> bool:
    """An explicit stack rather than `ast.walk`, whose generators cost twice as much per node."""
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call):
            func = current.func
            if getattr(func, "attr", None) in ("add_weight", "Parameter") or getattr(func, "id", None) == "Parameter":
                return True
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
    return False


def composite_traits(framework: str, name: str, children: list[Instance], own_weights: bool = False) -> LayerTraits:
    """A user layer or Sequential is judged by what it holds: it shares whatever its children keep."""
    child_traits = [c.traits for c in children if c.traits is not None]
    return LayerTraits(
        framework=framework, name=name, category=COMPOSITE,
        weights=own_weights or any(t.weights for t in child_traits),
        statistics=any(t.statistics for t in child_traits),
        normalizes=False, source="inferred",
    )
