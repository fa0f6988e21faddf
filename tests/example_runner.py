"""Runs an example model with the real framework, as its `# run: EXPR on SHAPE[; SHAPE]` lines say, so
the tests can compare the static verdict with what really happens."""

from __future__ import annotations

import ast
import re
import sys
import types
from pathlib import Path

RUN = re.compile(r"^#\s*run:\s*(?P<expr>.+?)\s+on\s+(?P<shapes>.+)$", re.MULTILINE)
ROOT = Path(__file__).resolve().parent.parent


def run_lines(source: str) -> list[tuple[str, list[tuple[int, ...]]]]:
    runs = []
    for match in RUN.finditer(source):
        shapes = [tuple(ast.literal_eval(part.strip())) for part in match.group("shapes").split(";")]
        runs.append((match.group("expr"), shapes))
    return runs


def framework_of(source: str) -> str:
    if re.search(r"^\s*(import torch|from torch)", source, re.MULTILINE):
        return "torch"
    if re.search(r"^\s*(import tf_keras|from tf_keras)", source, re.MULTILINE):
        return "tf_keras"
    return "keras"


def _zeros(framework: str, shape: tuple[int, ...]):
    if framework == "torch":
        import torch

        return torch.zeros(shape)
    import numpy

    return numpy.zeros(shape, dtype="float32")


def build_and_call(source: str, name: str, expr: str, shapes: list[tuple[int, ...]]):
    """Builds the model as the `# run:` line says, calls it once on zeros and returns the output."""
    framework = framework_of(source)
    module = types.ModuleType(name)
    module.__file__ = name
    sys.modules[name] = module
    try:
        exec(compile(source, name, "exec"), module.__dict__)
        model = eval(expr, module.__dict__)
        inputs = [_zeros(framework, shape) for shape in shapes]
        return model(inputs if len(inputs) > 1 else inputs[0])
    finally:
        sys.modules.pop(name, None)


def run_example(source: str, name: str, expr: str, shapes: list[tuple[int, ...]]) -> BaseException | None:
    """Builds the model and calls it once; returns the exception it raised, or None when it ran."""
    try:
        build_and_call(source, name, expr, shapes)
    except Exception as error:  # the verdict under test is exactly whether this raises
        return error
    return None


def example_sources() -> list[tuple[str, str]]:
    """(id, source) of every rule example and every file under examples/."""
    from layerlint.static.rules import ALL_RULES

    found = []
    for rule in ALL_RULES:
        for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID)):
            for index, source in enumerate(examples):
                found.append((f"{rule.code}-{kind}-{index}", source))
    for path in sorted((ROOT / "examples").rglob("*.py")):
        found.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return found
