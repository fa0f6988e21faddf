"""Checks every case's stated expectation against what really happens when the model runs.

For each `# run:` line of each case the model is built with the real framework and called once
under `layerlint.trace(..., raise_on_error=False)`; then:

  * an expected crash (LL001/LL006, or `# expect-raise`, e.g. Keras 3 refusing a layer stored
    lazily in call()) must raise; every other case must run;
  * an expected LL002 must show real sharing: the tracer reports the instance shared (a runtime
    LL002 or LL003 finding);
  * an expected LL004 must show the same layer object in several slots of one container
    reachable from the model (list, tuple, dict, ModuleList, Sequential...);
  * an expected LL005 must show a layer with weights that was called but is not reachable
    from the model (it was built in the forward pass, so nothing tracks it);
  * an expected LL003 must show a runtime LL003;
  * a case expecting neither LL002 nor LL004 must show no runtime LL002, and a negative case
    (no `# expect:`) must show no runtime warning or error at all.

    python eval/confirm.py                 # all cases; exit 1 and a list of failures on disagreement
    python eval/confirm.py torch/          # only cases whose name contains the text
    python eval/confirm.py --sample 12     # a deterministic sample (every k-th case)
    python eval/confirm.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import types
from collections.abc import Mapping
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Case, all_cases  # noqa: E402

from layerlint.diagnostics import Severity  # noqa: E402


# -- building and calling ------------------------------------------------------------------------
def _zeros(framework: str, shape: tuple[int, ...]):
    if framework == "torch":
        import torch

        return torch.zeros(shape)
    import numpy

    return numpy.zeros(shape, dtype="float32")


def _build(case: Case, expr: str, index: int):
    if case.package is not None:
        return _build_in_package(case, expr)
    name = f"layerlint_eval_{case.path.stem}_{index}"
    module = types.ModuleType(name)
    module.__file__ = str(case.path)
    sys.modules[name] = module
    try:
        exec(compile(case.text, str(case.path), "exec"), module.__dict__)
        return eval(expr, module.__dict__)
    finally:
        sys.modules.pop(name, None)


def _build_in_package(case: Case, expr: str):
    """A multi-module case runs as `model` of its package, so `from ._norms import ...` resolves;
    the package and its modules are dropped from `sys.modules` afterwards (each run starts fresh)."""
    import importlib

    package = case.package.name
    parent = str(case.package.parent)
    sys.path.insert(0, parent)
    try:
        module = importlib.import_module(f"{package}.{case.path.stem}")
        return eval(expr, module.__dict__)
    finally:
        sys.path.remove(parent)
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            sys.modules.pop(name, None)


def _layer_types() -> tuple[type, ...]:
    found: list[type] = []
    if "torch" in sys.modules:
        from torch import nn

        found.append(nn.Module)
    if "keras" in sys.modules:
        from keras.src.layers.layer import Layer

        found.append(Layer)
    if "tf_keras" in sys.modules:
        from tf_keras.src.engine.base_layer import Layer as TfLayer

        found.append(TfLayer)
    return tuple(found)


# -- what the live model looks like --------------------------------------------------------------
def _containers(obj, types_: tuple[type, ...]):
    """(label, items) for each container of layers directly held by `obj`, and its child layers."""
    if "torch" in sys.modules:
        from torch import nn

        if isinstance(obj, nn.Module):
            if isinstance(obj, (nn.ModuleList, nn.Sequential)):
                yield type(obj).__name__, list(obj._modules.values())
            elif isinstance(obj, nn.ModuleDict):
                yield "ModuleDict", list(obj._modules.values())
            else:
                yield "children", list(obj._modules.values())
    try:
        attributes = list(vars(obj).items())
    except TypeError:
        attributes = []
    for key, value in attributes:
        if key.startswith("_"):
            continue
        if isinstance(value, types_):
            yield f".{key}", [value]
        elif isinstance(value, Mapping):
            items = [v for v in value.values() if isinstance(v, types_)]
            if items:
                yield f".{key}", items
        elif isinstance(value, (list, tuple)):
            items = [v for v in value if isinstance(v, types_)]
            if items:
                yield f".{key}", items
    layers = None
    if not ("torch" in sys.modules and _is_torch(obj)):
        try:
            layers = list(getattr(obj, "layers", None) or [])
        except Exception:
            layers = None
    if layers:
        yield ".layers", [v for v in layers if isinstance(v, types_)]


def _is_torch(obj) -> bool:
    from torch import nn

    return isinstance(obj, nn.Module)


def repeated_slots(model) -> list[str]:
    """Containers reachable from `model` that hold one layer object in several slots."""
    types_ = _layer_types()
    found: list[str] = []
    seen: set[int] = set()
    stack = [("model", model)]
    roots = model if isinstance(model, (list, tuple)) else None
    if roots is not None:
        ids = [id(item) for item in roots]
        if len(ids) != len(set(ids)):
            found.append("model (list)")
        stack = [(f"model[{i}]", item) for i, item in enumerate(roots)]
    while stack:
        label, obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for key, items in _containers(obj, types_):
            ids = [id(item) for item in items if item is not None]
            if key not in ("children",) and len(ids) != len(set(ids)):
                found.append(f"{label}{key}")
            for index, item in enumerate(items):
                if item is not None:
                    stack.append((f"{label}{key}[{index}]", item))
    return found


def reachable_ids(model) -> set[int]:
    types_ = _layer_types()
    seen: set[int] = set()
    stack = list(model) if isinstance(model, (list, tuple)) else [model]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for _, items in _containers(obj, types_):
            stack.extend(item for item in items if item is not None)
    return seen


def _stateful(obj) -> bool:
    """Whether the live layer holds any state a second call could share (weights, statistics)."""
    try:
        if "torch" in sys.modules and _is_torch(obj):
            return any(True for _ in obj.parameters()) or any(True for _ in obj.buffers())
        return bool(obj.weights)
    except Exception:
        return True


def shared_findings(report) -> tuple[set[str], list[str]]:
    """Runtime reuse findings (LL002/LL003) on instances that really hold state, and notes on
    findings the tracer made about instances that hold none (nothing can be shared there)."""
    real: set[str] = set()
    notes: list[str] = []
    by_display = {inst.display: inst for inst in report.instances}
    for diag in report.diagnostics:
        if diag.code not in ("LL002", "LL003"):
            continue
        inst = by_display.get(diag.layer)
        if inst is not None and not _stateful(inst.obj):
            notes.append(f"tracer reports {diag.code} on {inst.display} ({inst.class_name}), "
                         f"which holds no parameters or statistics: ignored")
            continue
        real.add(diag.code)
    return real, notes


def _has_weights(obj) -> bool:
    try:
        if "torch" in sys.modules and _is_torch(obj):
            return any(True for _ in obj.parameters())
        return bool(obj.weights)
    except Exception:
        return False


# -- one case --------------------------------------------------------------------------------------
def confirm_case(case: Case) -> dict:
    import layerlint

    result = {"case": case.name, "runs": [], "problems": []}
    problems = result["problems"]
    if not case.runs:
        problems.append("no `# run:` line")
        return result
    codes = case.codes
    for index, (expr, shapes) in enumerate(case.runs):
        where = f"run `{expr}`"
        try:
            model = _build(case, expr, index)
        except Exception as error:  # building is part of what must (not) raise
            record = {"expr": expr, "raised": f"{type(error).__name__}: {error}"[:300], "runtime": []}
            result["runs"].append(record)
            if not case.crash_expected:
                problems.append(f"{where}: building raised {record['raised']}")
            continue
        inputs = [_zeros(case.framework, shape) for shape in shapes]
        args = (inputs,) if len(inputs) > 1 else (inputs[0],)
        report = layerlint.trace(model, *args, raise_on_error=False)
        runtime = sorted({(d.code, d.severity.label) for d in report.diagnostics})
        error = report.error
        record = {"expr": expr, "raised": None if error is None else f"{type(error).__name__}: {error}"[:300],
                  "runtime": [f"{code}[{sev}]" for code, sev in runtime]}
        result["runs"].append(record)
        shared, notes = shared_findings(report)
        if notes:
            record["notes"] = notes
        runtime_codes = ({code for code, _ in runtime} - {"LL002", "LL003"}) | shared
        warnings = {d.code for d in report.diagnostics if d.severity >= Severity.WARNING
                    and (d.code not in ("LL002", "LL003") or d.code in shared)}
        if case.crash_expected:
            if error is None:
                problems.append(f"{where}: a crash is expected ({', '.join(sorted(codes)) or 'expect-raise'}) "
                                f"but the model ran")
            continue
        if error is not None:
            problems.append(f"{where}: expected to run, but raised {record['raised']}")
            continue
        if "LL002" in codes and not runtime_codes & {"LL002", "LL003"}:
            problems.append(f"{where}: LL002 expected, but the tracer saw no instance shared")
        if "LL003" in codes and "LL003" not in runtime_codes:
            problems.append(f"{where}: LL003 expected, but the tracer reported no shared weights")
        if "LL004" in codes:
            slots = repeated_slots(model)
            record["repeated_slots"] = slots
            if not slots:
                problems.append(f"{where}: LL004 expected, but no container holds one object in several slots")
        if "LL005" in codes:
            reachable = reachable_ids(model)
            orphans = [inst.class_name for inst in report.instances
                       if id(inst.obj) not in reachable and _has_weights(inst.obj)]
            record["built_in_forward"] = orphans
            if not orphans:
                problems.append(f"{where}: LL005 expected, but every called layer with weights is tracked by the model")
        if not codes & {"LL002", "LL004"} and "LL002" in runtime_codes:
            problems.append(f"{where}: the tracer reports LL002 (normalization state shared) but the case expects none")
        if case.negative and warnings:
            problems.append(f"{where}: negative case, but the tracer reports {', '.join(sorted(warnings))}")
    return result


def select(cases: list[Case], patterns: list[str], sample: int | None) -> list[Case]:
    if patterns:
        cases = [c for c in cases if any(p in c.name for p in patterns)]
    if sample and sample < len(cases):
        step = len(cases) / sample
        cases = [cases[int(i * step)] for i in range(sample)]
    return cases


def run(cases: list[Case]) -> list[dict]:
    import warnings

    warnings.filterwarnings("ignore")
    try:
        import torch

        torch.manual_seed(0)
    except ImportError:
        pass
    return [confirm_case(case) for case in cases]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("patterns", nargs="*", help="only cases whose name contains one of these")
    parser.add_argument("--sample", type=int, help="a deterministic sample of this many cases")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    cases = select(all_cases(), args.patterns, args.sample)
    started = time.perf_counter()
    results = run(cases)
    elapsed = time.perf_counter() - started
    failures = [r for r in results if r["problems"]]
    if args.json:
        print(json.dumps({"cases": len(results), "failures": len(failures), "seconds": round(elapsed, 1),
                          "results": results}, indent=2))
    else:
        for r in results:
            status = "FAIL" if r["problems"] else "ok  "
            outcome = "; ".join(("raised" if run_["raised"] else "ran") + (" " + ",".join(run_["runtime"])
                                                                         if run_["runtime"] else "")
                                for run_ in r["runs"])
            print(f"{status} {r['case']:<55} {outcome}")
            for problem in r["problems"]:
                print(f"       - {problem}")
            for run_ in r["runs"]:
                for note in run_.get("notes", []):
                    print(f"       note: {note}")
        print(f"\n{len(results) - len(failures)}/{len(results)} cases agree with reality ({elapsed:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
