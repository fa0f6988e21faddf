"""The import graph keeps the layering CONTRIBUTING.md draws: a module imports only modules of its own
layer or of layers below it, never the package root (`layerlint/__init__.py` is the public face, not
a place to get things from), and never another package's private names (`_name`)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src"

# Bottom to top. A module belongs to the layer of its longest matching prefix.
LAYERS: list[tuple[str, ...]] = [
    ("layerlint._version", "layerlint.i18n", "layerlint.text", "layerlint.frameworks", "layerlint.gc_pause"),
    ("layerlint.diagnostics",),
    ("layerlint.catalog", "layerlint.verdicts"),  # the measured catalog, as data; the one reuse verdict over it
    ("layerlint.static",),  # text -> facts -> findings; knows nothing of files, settings or fixes
    ("layerlint.fix",),  # findings -> edits
    ("layerlint.config", "layerlint.report", "layerlint.writes"),
    ("layerlint.api",),  # the one pipeline
    ("layerlint.runtime",),  # the tracer: runs the user's model
    ("layerlint.catalog.probe", "layerlint.cli", "layerlint.server", "layerlint.flake8_plugin", "layerlint.testing",
     "layerlint.watch", "layerlint.__main__", "layerlint.baseline", "layerlint.init_config", "layerlint.keras",
     "layerlint.lightning", "layerlint.callbacks"),  # clients
]

def layer_of(module: str) -> int:
    best, rank = "", -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, rank = prefix, index
    return rank


@functools.lru_cache(maxsize=None)
def modules() -> dict[str, Path]:
    found = {}
    for path in (SOURCE / "layerlint").rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) for every absolute import of a layerlint module, at any depth.
    `from layerlint import api` imports the module `layerlint.api`, not the root's namespace."""
    found = []
    known = modules()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "layerlint":
            for alias in node.names:
                submodule = f"layerlint.{alias.name}"
                found.append((submodule, []) if submodule in known else ("layerlint", [alias.name]))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("layerlint"):
            found.append((node.module or "", [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names if alias.name.startswith("layerlint"))
    return found


def edges() -> list[tuple[str, str, list[str]]]:
    return [(module, target, names) for module, path in sorted(modules().items()) for target, names in imports(path)]


def test_every_module_has_a_layer():
    assert [module for module in modules() if module != "layerlint" and layer_of(module) < 0] == []


def test_no_module_imports_the_package_root():
    found = [(module, target) for module, target, _ in edges() if target == "layerlint" and module != "layerlint"]
    assert sorted(set(found)) == []


def test_no_module_imports_upward():
    found = {(module, target) for module, target, _ in edges()
             if target != "layerlint" and module != "layerlint" and layer_of(target) > layer_of(module)}
    assert sorted(found) == []


def test_no_module_imports_another_packages_private_names():
    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    found = [(module, f"{target}.{name}") for module, target, names in edges() for name in names
             if name.startswith("_") and not name.startswith("__") and package(target) != package(module)]
    assert found == []
