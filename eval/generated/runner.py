"""The truth of a generated program, from running it with the real framework, and the checker's
verdict on the same files, from `layerlint.check_paths` (which never imports them).

Truth, in order of precedence:
  crash     building or the first forward pass raised (a layer fed a width it was not built for)
  per_call  a layer with weights was called but the model does not hold it, a second pass calls
            weighted layers the first did not (built again at each call), or the framework refused
            the layer (Keras 3: "cannot add new elements of state"; tf.function: variables created
            at each trace)
  repeat    a container reachable from the model holds one layer object in several slots
  stats     `layerlint.tracing()` saw one instance called twice in a pass, holding running statistics
  norm      ... an affine normalization layer (parameters, no statistics)
  weights   ... a layer or sub-network with weights only
  clean     none of these

The checker's verdict is its most severe finding, in the same order: LL001/LL006 -> crash,
LL005 -> per_call, LL004 -> repeat, LL002 -> stats, LL003 -> weights, nothing -> clean. They agree
when the verdict is one `ACCEPTS[truth]` allows: shared affine-norm parameters are LL002 (the
tracer's own word) or LL003 (shared weights); everything else has exactly one answer.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import confirm  # noqa: E402  (eval/confirm.py: containers and reachability of a live model)

from generated.generator import Program  # noqa: E402

ACCEPTS = {
    "crash": {"crash"}, "per_call": {"per_call"}, "repeat": {"repeat"}, "stats": {"stats"},
    "norm": {"stats", "weights"}, "weights": {"weights"}, "clean": {"clean"},
}
VERDICT_ORDER = (("crash", {"LL001", "LL006"}), ("per_call", {"LL005"}), ("repeat", {"LL004"}),
                 ("stats", {"LL002"}), ("weights", {"LL003"}))
KNOWN_CODES = {"LL001", "LL002", "LL003", "LL004", "LL005", "LL006"}
REFUSED = re.compile(r"cannot add new elements of state|only supports singleton tf\.Variables", re.I)


@dataclass
class Outcome:
    program: Program
    truth: str
    verdict: str
    codes: tuple[str, ...]  # the checker's codes, sorted
    detail: str  # what the run showed (the exception, or which instance was shared)
    check_seconds: float  # writing the package and checking it
    run_seconds: float  # importing, building and running it twice

    @property
    def agree(self) -> bool:
        return self.verdict in ACCEPTS[self.truth]

    @property
    def honest(self) -> bool:
        return self.truth == self.program.intended


# -- writing a program ------------------------------------------------------------------------------
def write(program: Program, root: Path) -> tuple[str, Path]:
    """The program as package `gen_<n>` under `root`: (package name, folder)."""
    name = f"gen_{program.framework}_{program.spelling}_{program.seed}"
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    for module, text in program.modules:
        (folder / f"{module}.py").write_text(text, encoding="utf-8")
    return name, folder


# -- the checker ------------------------------------------------------------------------------------
def verdict(folder: Path) -> tuple[str, tuple[str, ...]]:
    """The checker's most severe finding on the package, as a truth label, and all its codes."""
    import layerlint
    from layerlint import Overrides

    codes = tuple(sorted({d.code for d in layerlint.check_paths([str(folder)], Overrides(select=("ALL",)))}))
    if set(codes) - KNOWN_CODES:
        return "error", codes  # the checker could not check a file
    return next((label for label, wanted in VERDICT_ORDER if wanted & set(codes)), "clean"), codes


# -- the truth --------------------------------------------------------------------------------------
def _failure(error: BaseException) -> tuple[str, str]:
    chain = [error, error.__cause__] if error.__cause__ is not None else [error]
    text = " | ".join(f"{type(e).__name__}: {e}" for e in chain)
    return ("per_call" if REFUSED.search(text) else "crash"), text[:300]


def _per_call(model, first, second) -> str | None:
    reachable = confirm.reachable_ids(model)
    orphans = [i.class_name for i in first.instances if id(i.obj) not in reachable and confirm._has_weights(i.obj)]
    if orphans:
        return f"called but not held by the model: {', '.join(orphans)}"
    before = {id(i.obj) for i in first.instances}
    fresh = [i.class_name for i in second.instances if id(i.obj) not in before and confirm._has_weights(i.obj)]
    return f"new at the second pass: {', '.join(fresh)}" if fresh else None


def _holds_statistics(obj) -> bool:
    try:
        if "torch" in sys.modules and confirm._is_torch(obj):
            return any(True for _ in obj.buffers())
        return bool(obj.non_trainable_weights)
    except Exception:
        return False


def _normalizes(obj) -> bool:
    if "Norm" in type(obj).__name__:
        return True
    if "torch" in sys.modules and confirm._is_torch(obj):
        return any("Norm" in type(m).__name__ for m in obj.modules())
    return any("Norm" in type(layer).__name__ for layer in getattr(obj, "_flatten_layers", lambda: [])())


def _shared(report) -> tuple[str, str] | None:
    instances = {inst.display: inst for inst in report.instances}
    for diagnostic in report.diagnostics:
        inst = instances.get(diagnostic.layer)
        if diagnostic.code not in ("LL002", "LL003") or inst is None or not confirm._stateful(inst.obj):
            continue
        kind = "stats" if _holds_statistics(inst.obj) else "norm" if _normalizes(inst.obj) else "weights"
        return kind, f"{inst.class_name} called {len(inst.calls)} times in one pass"
    return None


def _two_passes(module, model, framework: str):
    from layerlint.runtime import tracing

    with tracing(frameworks=[framework]) as first:
        module.step(model)
    with tracing(frameworks=[framework]) as second:
        module.step(model)
    return first, second


def truth(program: Program, package: str) -> tuple[str, str]:
    """What really happens when the program's model is built and called twice."""
    try:
        module = importlib.import_module(f"{package}.model")
        model = module.build()
        first, second = _two_passes(module, model, program.framework)
    except Exception as error:  # building and calling are what is under test
        return _failure(error)
    per_call = _per_call(model, first, second)
    if per_call:
        return "per_call", per_call
    slots = confirm.repeated_slots(model)
    if slots:
        return "repeat", f"one object in several slots of {', '.join(slots)}"
    return _shared(first) or ("clean", "")


def _forget(package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def _reset(framework: str) -> None:
    """Keras keeps every layer name ever made; a long run clears that, and the seeds, now and then."""
    if framework == "torch":
        import torch

        torch.manual_seed(0)
    else:
        importlib.import_module(framework).backend.clear_session()


# -- a batch --------------------------------------------------------------------------------------------
def evaluate(programs: list[Program], progress=None) -> list[Outcome]:
    """Each program written to a temporary package, checked, then run in this process."""
    outcomes = []
    with warnings.catch_warnings(), tempfile.TemporaryDirectory(prefix="layerlint-generated-") as tmp:
        warnings.simplefilter("ignore")  # the frameworks' deprecation chatter, once per program
        root = Path(tmp)
        sys.path.insert(0, str(root))
        try:
            for index, program in enumerate(programs):
                outcomes.append(_evaluate_one(program, root, reset=index % 20 == 0))
                if progress is not None:
                    progress(index + 1, len(programs))
        finally:
            sys.path.remove(str(root))
    return outcomes


def _evaluate_one(program: Program, root: Path, reset: bool) -> Outcome:
    started = time.perf_counter()
    package, folder = write(program, root)
    found, codes = verdict(folder)
    checked = time.perf_counter()
    if reset:
        _reset(program.framework)
    try:
        real, detail = truth(program, package)
    finally:
        _forget(package)
    return Outcome(program, real, found, codes, detail, checked - started, time.perf_counter() - checked)
