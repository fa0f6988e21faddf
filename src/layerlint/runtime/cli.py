"""`layerlint trace FILE_OR_MODULE:NAME --input-shape 2,28,28,1`: import the user's code, build
the model, run one forward pass on random inputs and report the layer reuse it observed.

Exit status: 0 no warning or error, 1 findings, 2 the model could not be loaded or run.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import os
import sys
from typing import Any

DESCRIPTION = (
    "Run one forward pass of a model and report the layer reuse observed at runtime. "
    "WARNING: this mode imports and runs your code (the file or module and the model's "
    "constructor and forward pass), unlike `layerlint check`, which only reads it."
)

FORMATS = ("text", "json", "table")


class CannotRun(Exception):
    """The target could not be loaded, built or run; the message says why (exit status 2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    if not parser.description:
        parser.description = DESCRIPTION
    parser.add_argument(
        "target", metavar="FILE_OR_MODULE:NAME",
        help="the model to trace: a file path or a dotted module, then `:` and the name of a model "
             "class (instantiated with no arguments), a factory function (called with no "
             "arguments) or a model object. This imports and runs your code.")
    parser.add_argument(
        "--input-shape", dest="input_shapes", action="append", required=True, metavar="D0,D1,...",
        help="shape of one input, batch axis included (e.g. 2,28,28,1 for Keras, 2,1,28,28 for "
             "PyTorch); repeat for a model taking several inputs")
    parser.add_argument(
        "--dtype", default="float32",
        help="dtype of the random inputs (default float32; an integer dtype gives 0/1 values)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--html", metavar="FILE",
                        help="also write a self-contained HTML page drawing the layer instances, the calls "
                             "between them and the diagnostics")


def _parse_shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(",") if part.strip())
    except ValueError:
        raise CannotRun(f"--input-shape {text!r}: expected comma-separated integers, e.g. 2,28,28,1") from None
    if not shape or any(d <= 0 for d in shape):
        raise CannotRun(f"--input-shape {text!r}: expected positive sizes")
    return shape


def _load_namespace(spec: str) -> Any:
    if spec.endswith(".py") or os.sep in spec or "/" in spec or os.path.isfile(spec):
        path = os.path.abspath(spec)
        if not os.path.isfile(path):
            raise CannotRun(f"no such file: {spec}")
        directory = os.path.dirname(path)
        if directory not in sys.path:
            sys.path.insert(0, directory)
        name = "_layerlint_trace_" + os.path.splitext(os.path.basename(path))[0].replace("-", "_")
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            raise CannotRun(f"cannot import {spec}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        return module
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return importlib.import_module(spec)


def _is_model(obj: Any) -> bool:
    for module_name, attribute in (("keras.src.layers.layer", "Layer"),
                                   ("tf_keras.src.engine.base_layer", "Layer"),
                                   ("torch.nn.modules.module", "Module")):
        module = sys.modules.get(module_name)
        if module is not None and isinstance(obj, getattr(module, attribute)):
            return True
    return False


def load_model(target: str) -> Any:
    spec, sep, name = target.rpartition(":")
    if not sep or not spec or not name:
        raise CannotRun(f"{target!r}: expected FILE_OR_MODULE:NAME, e.g. model.py:Net")
    try:
        namespace = _load_namespace(spec)
    except CannotRun:
        raise
    except Exception as exc:
        raise CannotRun(f"importing {spec} failed: {type(exc).__name__}: {exc}") from None
    obj: Any = namespace
    for part in name.split("."):
        if not hasattr(obj, part):
            raise CannotRun(f"{spec} has no attribute {name!r}")
        obj = getattr(obj, part)
    if _is_model(obj):
        return obj
    if callable(obj):
        what = "instantiating" if inspect.isclass(obj) else "calling"
        try:
            model = obj()
        except Exception as exc:
            raise CannotRun(f"{what} {name}() failed: {type(exc).__name__}: {exc}") from None
        if not _is_model(model):
            raise CannotRun(f"{name}() returned {type(model).__name__}, not a Keras layer or a torch module")
        return model
    raise CannotRun(f"{name} is a {type(obj).__name__}, not a model, a model class or a factory")


def _is_keras_layer(model: Any) -> bool:
    torch_module = sys.modules.get("torch.nn.modules.module")
    return not (torch_module is not None and isinstance(model, torch_module.Module) and not _is_keras(model))


def make_inputs(model: Any, shapes: list[tuple[int, ...]], dtype: str) -> list[Any]:
    import numpy as np

    rng = np.random.default_rng(0)
    try:
        np_dtype = np.dtype(dtype)
    except TypeError:
        raise CannotRun(f"--dtype {dtype!r}: not a dtype name") from None
    arrays = []
    for shape in shapes:
        if np.issubdtype(np_dtype, np.integer) or np_dtype == np.bool_:
            arrays.append(rng.integers(0, 2, size=shape).astype(np_dtype))
        else:
            arrays.append(rng.standard_normal(shape).astype(np_dtype))
    if not _is_keras_layer(model):
        import torch

        return [torch.from_numpy(a) for a in arrays]
    if "tf_keras.src.engine.base_layer" in sys.modules:
        from tf_keras.src.engine.base_layer import Layer

        if isinstance(model, Layer):
            import tensorflow as tf

            return [tf.convert_to_tensor(a) for a in arrays]
    return arrays


def _is_keras(model: Any) -> bool:
    module = sys.modules.get("keras.src.layers.layer")
    return module is not None and isinstance(model, module.Layer)


def run(args: argparse.Namespace) -> int:
    from layerlint.runtime.tracer import trace

    out, err = sys.stdout, sys.stderr
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        shapes = [_parse_shape(text) for text in args.input_shapes]
        model = load_model(args.target)
        inputs = make_inputs(model, shapes, args.dtype)
        if len(inputs) > 1 and _is_keras_layer(model):
            inputs = [inputs]  # a Keras model takes several inputs as one list, not as arguments
        report = trace(model, *inputs, raise_on_error=False)
    except CannotRun as exc:
        print(f"layerlint trace: error: {exc}", file=err)
        return 2
    except Exception as exc:  # a bug in the user's model outside the forward pass, or in ours
        print(f"layerlint trace: error: {type(exc).__name__}: {exc}", file=err)
        return 2
    if args.html:
        from layerlint.runtime.html import write_html_report

        try:
            write_html_report(report, args.html)
        except OSError as exc:
            print(f"layerlint trace: error: cannot write {args.html}: {exc}", file=err)
            return 2
    mismatch = any(d.code == "LL001" for d in report.diagnostics)
    if args.format == "json":
        print(report.to_json(), file=out)
    elif args.format == "table":
        print(report.render_table(), file=out)
        if report.diagnostics:
            print("", file=out)
            print(report.render_text(), file=out)
    else:
        text = report.render_text()
        if text:
            print(text, file=out)
    if report.error is not None and not mismatch:
        from layerlint.runtime.records import error_text

        print(f"layerlint trace: error: the forward pass raised {error_text(report.error)}", file=err)
        return 2
    return 1 if report.findings else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="layerlint trace")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
