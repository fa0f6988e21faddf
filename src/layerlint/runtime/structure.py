"""The module tree of a traced PyTorch model, read once and kept while it does not change.

A report names each recorded module by its attribute path, lists the other paths of a shared one,
counts the model's modules and puts back its train/eval modes. All of that depends only on the
tree's shape: which module holds which child under which name, and the modules' classes. A model
traced again (a training loop, a test suite, the bench) almost always has the same tree, and
walking it costs more than the rest of a small model's report. So the answers are kept per root
module, and each trace first checks that the tree is the one they were read from: one look at
each module's `_modules` (the same class, the same names, the same child objects). Anything that
changes an answer (a module added, replaced, removed or registered under another name, a lazy
module that became its concrete class) makes the tree be read again.

Nothing here keeps a user's module alive: the kept tree holds weak references and ids, and an id
is only trusted while the weak reference to the module it was read from is alive.

Answers that do not depend on the shape alone (trainable parameters, buffers) are read anew at
every trace, by `trainable` and `has_buffers`, without the generator layers of `parameters()`.
They, `modules()` counts and `children()` stand in for PyTorch's methods only for classes that
do not override them (`standard`); for any other class the caller asks PyTorch's methods.
"""

from __future__ import annotations

import functools
import operator
import threading
import weakref
from itertools import chain
from typing import Any

from layerlint.runtime.paths import aliases as alias_paths
from layerlint.runtime.paths import paths as attribute_paths

# nn.Module methods whose answers this module computes from `_modules`, `_parameters`, `_buffers`
_METHODS = ("children", "named_children", "modules", "named_modules", "parameters", "named_parameters",
            "buffers", "named_buffers", "_named_members", "__hash__", "__eq__")
_standard: dict[type, bool] = {}


def standard(cls: type) -> bool:
    """True when `cls` answers `modules()`, `children()`, `parameters()` and `buffers()` with
    nn.Module's own methods (and hashes by identity, as their duplicate checks assume)."""
    answer = _standard.get(cls)
    if answer is None:
        from torch import nn

        if len(_standard) > 4096:  # classes made on the fly: start again rather than keep them all
            _standard.clear()
        answer = _standard[cls] = all(getattr(cls, name, None) is getattr(nn.Module, name) for name in _METHODS)
    return answer


class Tree:
    """What was read of one root's module tree, breadth-first from the root (see the module)."""

    def __init__(self, order: list[Any]) -> None:
        self.refs = [weakref.ref(module) for module in order]
        self.classes = list(map(type, order))
        self.children = _children(order)
        self.standard = all(standard(kind) for kind in set(self.classes))
        self.wanted = {id(module) for module in order}
        self._paths: dict[str, dict[int, str]] = {}
        self._aliases: dict[str, dict[int, list[str]]] = {}

    def live(self) -> list[Any] | None:
        """The modules, root first, when the tree is still the one that was read; else None.

        Every module read is still alive (so an id seen among the children now is the module it
        was then), of the same class, with the same number of children, the same names and the same
        child objects, in order: then each module's children, and so the whole tree, are as read."""
        modules = [ref() for ref in self.refs]
        if list(map(type, modules)) != self.classes:  # a module gone (None) or of another class
            return None
        return modules if _children(modules) == self.children else None


def _children(modules: list[Any]) -> tuple[list, list, list]:
    """(numbers of children, child names, child ids) of the modules, in order, each made in one pass
    at C speed: a ResNet-50's 153 modules are checked in a few tens of microseconds."""
    tables = list(map(_MODULES, modules))
    return (list(map(len, tables)), list(chain.from_iterable(tables)),
            list(map(id, chain.from_iterable(map(dict.values, tables)))))


_MODULES = operator.attrgetter("_modules")


class View:
    """One trace's look at a tree known to be current: the live modules and the kept answers."""

    def __init__(self, tree: Tree, modules: list[Any]) -> None:
        self.tree = tree
        self.modules = modules
        self.root = modules[0]

    @property
    def standard(self) -> bool:
        return self.tree.standard

    @property
    def classes(self) -> list[type]:
        return self.tree.classes

    def paths(self, root_path: str) -> dict[int, str]:
        """`paths.paths` from the root alone: the shortest attribute path of every module."""
        kept = self.tree._paths.get(root_path)
        if kept is None:
            kept = self.tree._paths[root_path] = attribute_paths(
                [(self.root, root_path)], {id(self.root): "torch"}, self.tree.wanted)
        return kept

    def aliases(self, root_path: str) -> dict[int, list[str]]:
        """`paths.aliases` from the root alone, for every module: the walk and its budget do not
        depend on which modules are wanted, so each module's list is the one a narrower walk finds."""
        kept = self.tree._aliases.get(root_path)
        if kept is None:
            kept = self.tree._aliases[root_path] = alias_paths(
                [(self.root, root_path)], {id(self.root): "torch"}, self.tree.wanted)
        return kept

    def count(self) -> int | None:
        """`len(list(root.modules())) - 1`, when the classes are standard."""
        return len(self.modules) - 1 if self.standard else None


_LIMIT = 16  # roots kept; a process tracing more models in turn reads the others again
_lock = threading.Lock()
_trees: dict[int, tuple[weakref.ref, Tree]] = {}


def read(root: Any) -> View | None:
    """The current tree of the PyTorch module `root`, kept or read now; None when `root` is not one
    or its tree cannot be read this way (a module without `_modules`, no weak references)."""
    kept = _trees.get(id(root))
    try:
        modules = kept[1].live() if kept is not None and kept[0]() is root else None
    except Exception:  # a module lost its `_modules`: read again, or give up below
        modules = None
    if modules is not None:
        return View(kept[1], modules)  # type: ignore[index]
    try:
        order = _breadth_first(root)
        tree = Tree(order)
        ref = weakref.ref(root, functools.partial(_forget, id(root)))
    except Exception:  # not a torch module tree
        return None
    with _lock:
        if len(_trees) >= _LIMIT:
            _trees.pop(next(iter(_trees)))
        _trees[id(root)] = (ref, tree)
    return View(tree, order)


def _forget(key: int, _: Any = None) -> None:
    with _lock:
        entry = _trees.get(key)
        if entry is not None and entry[0]() is None:
            del _trees[key]


def _breadth_first(root: Any) -> list[Any]:
    from torch import nn

    if not isinstance(root, nn.Module):
        raise TypeError("not an nn.Module")
    order = [root]
    seen = {id(root)}
    for module in order:  # grows while it is walked
        for child in module._modules.values():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                order.append(child)
    return order


# -- answers read at every trace ---------------------------------------------------------------
class NotStandard(Exception):
    """A module of a class that overrides what these functions stand in for: ask PyTorch."""


def _require_standard(module: Any) -> None:
    if not (_standard.get(type(module)) or standard(type(module))):
        raise NotStandard


def composite(module: Any) -> bool:
    """`bool(list(module.children()))`."""
    _require_standard(module)
    for child in module._modules.values():
        if child is not None:
            return True
    return False


def trainable(module: Any) -> bool:
    """`any(p.requires_grad for p in module.parameters())`, depth first in `parameters()` order and
    stopping at the first one: a block's first layer usually answers."""
    return _trainable(module, {id(module)})


def _trainable(module: Any, seen: set[int]) -> bool:
    _require_standard(module)
    for parameter in module._parameters.values():
        if parameter is not None and parameter.requires_grad:
            return True
    for child in module._modules.values():
        if child is not None and id(child) not in seen:
            seen.add(id(child))
            if _trainable(child, seen):
                return True
    return False


def has_buffers(module: Any) -> bool:
    """`any(True for _ in module.buffers(recurse=False))`."""
    _require_standard(module)
    for buffer in module._buffers.values():
        if buffer is not None:
            return True
    return False
