"""Naming recorded layer instances by attribute paths from the traced model (`encoder.blocks[2].norm`),
and finding the other paths to a shared PyTorch module (`layer1[0].bn2` when `bn2 = bn1`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def layer_types(framework: str) -> tuple[type, ...]:
    if framework == "torch":
        from torch import nn

        return (nn.Module,)
    if framework == "keras":
        from keras.src.layers.layer import Layer

        return (Layer,)
    from tf_keras.src.engine.base_layer import Layer

    return (Layer,)


def children(obj: Any, framework: str, types: tuple[type, ...], private_too: bool):
    if framework == "torch":
        from torch import nn

        indexed = isinstance(obj, (nn.Sequential, nn.ModuleList))
        for name, module in obj._modules.items():
            if module is not None:
                yield (f"[{name}]" if indexed and name.isdigit() else f".{name}"), module
        return
    try:
        attributes = list(vars(obj).items())
    except TypeError:
        return
    public = [(k, v) for k, v in attributes if not k.startswith("_")]
    modules = vars(obj).get("_modules")
    if isinstance(modules, dict):  # Keras 3 on the torch backend: sub-layers live in nn.Module._modules
        public = [(k, v) for k, v in modules.items() if not str(k).startswith("_")] + public
    private = [(k, v) for k, v in attributes if k.startswith("_")]

    def expand(name: str, value: Any):
        if isinstance(value, types):
            yield f".{name}", value
        elif isinstance(value, Mapping):
            for key, item in list(value.items())[:1000]:
                if isinstance(item, types):
                    yield f'.{name}["{key}"]' if not str(key).isidentifier() else f".{name}.{key}", item
        elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
            for index, item in enumerate(list(value)[:1000]):
                if isinstance(item, types):
                    yield f".{name}[{index}]", item

    for name, value in public:
        yield from expand(name, value)
    try:
        layers = obj.layers if "layers" not in vars(obj) else ()
    except Exception:
        layers = ()
    for index, layer in enumerate(layers or ()):
        if isinstance(layer, types):
            # members of a functional model or a Sequential: named as `model.get_layer(name)` does
            name = getattr(layer, "name", None)
            yield (f".{name}" if isinstance(name, str) and name.isidentifier() else f".layers[{index}]"), layer
    if private_too:
        for name, value in private:
            yield from expand(name, value)


def paths(roots: list[tuple[Any, str]], framework_of: dict[int, str], wanted: set[int]) -> dict[int, str]:
    """Breadth-first from each root: the shortest attribute path to every recorded layer.
    Public attributes (and a Keras model's `layers`) first; private ones only for the layers
    that the first walk did not reach."""
    found: dict[int, str] = {}
    types_cache: dict[str, tuple] = {}
    for private_too in (False, True):
        seen: set[int] = set()
        for root, root_path in roots:
            framework = framework_of.get(id(root))
            if framework is None or id(root) in seen:
                continue
            types = types_cache.setdefault(framework, layer_types(framework))
            seen.add(id(root))
            found.setdefault(id(root), root_path)
            level = [(root, found[id(root)])]
            while level and not wanted <= found.keys():
                following = []
                for obj, path in level:
                    for suffix, child in children(obj, framework, types, private_too):
                        if id(child) in seen:
                            continue
                        seen.add(id(child))
                        child_path = (path + suffix).lstrip(".") if path else suffix.lstrip(".")
                        found.setdefault(id(child), child_path)
                        following.append((child, found[id(child)]))
                level = following
        if wanted <= found.keys():
            break
    return found


ALIAS_WALK_LIMIT = 20000


def aliases(roots: list[tuple[Any, str]], framework_of: dict[int, str], wanted: set[int]) -> dict[int, list[str]]:
    """Every attribute path to each wanted PyTorch module, shared ones included (`layer1[0].bn2`
    when `bn2 = bn1`), so that a finding can name the other names of what it reports. A walk
    without deduplication, bounded, and only when some module was called more than once."""
    from torch import nn

    found: dict[int, list[str]] = {}
    budget = [ALIAS_WALK_LIMIT]

    def walk(obj: Any, path: str, on_path: set[int]) -> None:
        for suffix, child in children(obj, "torch", (nn.Module,), False):
            budget[0] -= 1
            if budget[0] < 0:
                return
            if id(child) in on_path:  # a module holding its ancestor: not a path to follow
                continue
            child_path = (path + suffix).lstrip(".") if path else suffix.lstrip(".")
            if id(child) in wanted:
                found.setdefault(id(child), []).append(child_path)
            walk(child, child_path, on_path | {id(child)})

    for root, root_path in roots:
        if framework_of.get(id(root)) == "torch" and root_path is not None:
            walk(root, root_path, {id(root)})
    return found
