"""Static and runtime verdicts agree: for every runnable model in the examples, the rule cases and the
eval corpus,
what `layerlint check` says of the model (crash, shared statistics, shared weights, nothing) is what
`layerlint.trace` sees when the model really runs."""

from __future__ import annotations

import ast
import os
import types
from pathlib import Path

import pytest

from example_runner import example_sources, framework_of, run_lines
from layerlint.diagnostics import Severity
from layerlint.static.checker import Selection, check_source

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ALL = Selection(select=("ALL",))
FRAMEWORK_MODULES = {"keras": "keras", "tf_keras": "tf_keras", "torch": "torch"}

ROOT = Path(__file__).resolve().parent.parent

# Where static analysis cannot decide what the run shows, and why (strict: fixing one fails the test
# until its line here goes).
UNDECIDABLE = {
    "eval/cases/keras/k25_dense_refeeds_wider.py": "the width of call()'s input is unknown statically",
    "eval/cases/torch/p72_lazylinear_two_widths.py": "the widths of the two inputs of forward() (unpacked "
                                                     "from one argument) are unknown statically",
    "eval/cases/torch/p15_perceiver_cached_layers.py": "a caching closure hands one block to several slots "
                                                      "at run time",
}

# Eval cases of issue 14's roads that the analysis does not follow yet (eval/README.md, "Known misses"):
# strict, so a fix fails here until its line goes.
_EVAL = "eval/cases/"
NOT_FOLLOWED_YET = {
    _EVAL + "keras/k40_bidirectional_wrappers_copy.py": "the runtime sees each LSTMCell stepped over the "
                                                        "timesteps inside the framework's RNN loop",
    _EVAL + "keras/k48_tf_function_builds_norm.py": "TensorFlow refuses the step's new variables: LL005 is a warning",
    _EVAL + "tf_keras/t21_tf_function_step_builds_dense.py": "TensorFlow refuses the step's new variables: LL005 "
                                                             "is a warning",
}


def _eval_sources() -> list[tuple[str, str]]:
    """Single-file cases: a package case (eval/README.md) imports its helper modules relatively, so it
    cannot be run from its text alone; eval/confirm.py and eval/score.py handle those."""
    folder = ROOT / "eval" / "cases"
    return [(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")) for path in sorted(folder.rglob("*.py"))
            if not (path.parent / "__init__.py").is_file()]


def _xfail(name: str) -> list:
    reason = UNDECIDABLE.get(name) or NOT_FOLLOWED_YET.get(name)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


CASES = [pytest.param(name, source, expr, shapes, id=f"{name}:{expr}", marks=_xfail(name))
         for name, source in example_sources() + _eval_sources() for expr, shapes in run_lines(source)]


def _scope(source: str, expr: str) -> range:
    """The lines of the class or function the run expression builds the model with."""
    called = ast.parse(expr, mode="eval").body
    name = called.func.id if isinstance(called, ast.Call) and isinstance(called.func, ast.Name) else None
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
            return range(node.lineno, node.end_lineno + 1)
    return range(1, len(source.splitlines()) + 1)


def static_verdict(source: str, name: str, expr: str) -> tuple[bool, bool, bool]:
    lines = _scope(source, expr)
    found = [d for d in check_source(source, name, ALL) if d.span.line in lines]
    crash = any(d.severity is Severity.ERROR for d in found)
    # What is shared, not how the static rules judge it: an affine norm in different roles is an LL002
    # warning, a BatchNorm marked intended an LL003 info, but the runtime sees the state itself.
    sharing = [d.message.args.get("kind") for d in found if d.code in ("LL002", "LL003", "LL004")]
    statistics = "statistics" in sharing
    weights = "weights" in sharing
    return crash, statistics, weights


def runtime_verdict(source: str, name: str, expr: str, shapes: list[tuple[int, ...]]) -> tuple[bool, bool, bool]:
    import layerlint

    module = types.ModuleType(name)
    try:
        exec(compile(source, name, "exec"), module.__dict__)
        model = eval(expr, module.__dict__)
    except Exception:  # a functional model crashes while it is built
        return True, False, False
    if framework_of(source) == "torch":
        import torch

        inputs = [torch.zeros(shape) for shape in shapes]
    else:
        import numpy

        inputs = [numpy.zeros(shape, dtype="float32") for shape in shapes]
    report = layerlint.trace(model, inputs if len(inputs) > 1 else inputs[0], raise_on_error=False)
    codes = {d.code for d in report.diagnostics}
    crash = report.error is not None or "LL001" in codes
    return crash, "LL002" in codes, "LL003" in codes


@pytest.mark.parametrize("name, source, expr, shapes", CASES)
def test_static_and_runtime_verdicts_agree(name, source, expr, shapes):
    pytest.importorskip(FRAMEWORK_MODULES[framework_of(source)])
    static = static_verdict(source, name, expr)
    runtime = runtime_verdict(source, name, expr, shapes)
    if static[0] or runtime[0]:  # a crash stops the pass: what it would have shared is moot
        assert static[0] == runtime[0], f"crash: static {static[0]}, runtime {runtime[0]}"
    else:
        assert static == runtime, "(crash, shared statistics, shared weights): static vs runtime"
