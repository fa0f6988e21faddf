"""`layerlint trace FILE_OR_MODULE:NAME --input-shape 2,28,28,1`: import the user's code, build
the model, run one forward pass on random inputs and report the layer reuse it observed.

Exit status, as for `check`: 0 nothing reported, 1 findings reported (after the configuration and
--select/--ignore: LL003 is off by default), 2 the model could not be loaded or run, or the trace
recorded no layer call (so it could not check anything).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Iterator

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
             "class (instantiated with --init-args, default none), a factory function (called the same "
             "way) or a model object. This imports and runs your code.")
    feed = parser.add_argument_group("inputs")
    feed.add_argument(
        "--input-shape", dest="input_shapes", action="append", default=[], metavar="D0,D1,...",
        help="shape of one positional input, batch axis included (e.g. 2,28,28,1 for Keras, 2,1,28,28 "
             "for PyTorch); repeat for a model taking several inputs")
    feed.add_argument(
        "--input", dest="inputs", action="append", default=[], metavar="[NAME=]SHAPE[:DTYPE[:LOW-HIGH]]",
        help="one input: with NAME=, a keyword input (a PyTorch keyword argument; for Keras, a key of one "
             "dict input); without, the next positional input (after those of --input-shape). DTYPE "
             "defaults to --dtype; integers are "
             "drawn from LOW-HIGH, inclusive (default 0-1), e.g. --input input_ids=2,16:int64:0-999")
    feed.add_argument(
        "--dtype", default="float32",
        help="dtype of the random inputs (default float32; an integer dtype gives 0/1 values unless "
             "--input gives a range)")
    feed.add_argument("--seed", type=int, default=0, help="random seed for the inputs and the model's "
                                                          "initial weights (default 0)")
    build = parser.add_argument_group("model")
    build.add_argument("--init-args", "--kwargs", dest="init_args", metavar="JSON",
                       help="keyword arguments for the class or factory, as a JSON object, e.g. "
                            "'{\"weights\": null, \"input_shape\": [32, 32, 3]}'")
    mode = build.add_mutually_exclusive_group()
    mode.add_argument("--train", dest="mode", action="store_const", const="train",
                      help="trace in training mode (PyTorch `model.train()`, Keras `training=True`)")
    mode.add_argument("--eval", dest="mode", action="store_const", const="eval",
                      help="trace in inference mode (PyTorch `model.eval()`, Keras `training=False`); "
                           "default: the mode the model is in")
    rules = parser.add_argument_group("findings (as for `layerlint check`; [tool.layerlint] applies)")
    rules.add_argument("--select", type=_codes, metavar="CODES",
                       help="codes or prefixes to report; replaces the configured or default set")
    rules.add_argument("--extend-select", type=_codes, default=(), metavar="CODES",
                       help="codes to report in addition (e.g. LL003, off by default)")
    rules.add_argument("--ignore", type=_codes, default=(), metavar="CODES", help="codes or prefixes not to report")
    rules.add_argument("--allow", action="append", default=[], metavar="NAME",
                       help="intended sharing: an instance path (encoder.norm), its last part, a layer class "
                            "or a glob; repeatable (adds to allow-shared)")
    parser.add_argument("--lang", metavar="LANG", help="language of messages (e.g. en, zh); default: `lang` "
                                                       "in the configuration, then the locale")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--html", metavar="FILE",
                        help="also write a self-contained HTML page: the module tree with the findings, search, "
                             "a filter by verdict and each layer's calls")


def _codes(value: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


def _parse_shape(text: str, option: str = "--input-shape") -> tuple[int, ...]:
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(",") if part.strip())
    except ValueError:
        raise CannotRun(f"{option} {text!r}: expected comma-separated integers, e.g. 2,28,28,1") from None
    if not shape or any(d <= 0 for d in shape):
        raise CannotRun(f"{option} {text!r}: expected positive sizes")
    return shape


@dataclass(frozen=True)
class InputSpec:
    """One random input: its keyword name (None: positional), shape, dtype and integer range."""

    name: str | None
    shape: tuple[int, ...]
    dtype: str
    low: int = 0
    high: int = 1


def parse_input(text: str, default_dtype: str) -> InputSpec:
    """`[NAME=]SHAPE[:DTYPE[:LOW-HIGH]]`, e.g. `input_ids=2,16:int64:0-999`."""
    name: str | None
    name, sep, rest = text.partition("=")
    if not sep:
        name, rest = None, text
    elif not name.isidentifier():
        raise CannotRun(f"--input {text!r}: {name!r} is not a name; expected NAME=SHAPE[:DTYPE[:LOW-HIGH]]")
    shape_text, _, tail = rest.partition(":")
    dtype, _, bounds = tail.partition(":")
    spec = InputSpec(name, _parse_shape(shape_text, "--input"), dtype or default_dtype)
    if bounds:
        low, dash, high = bounds.lstrip("-").partition("-")
        try:
            low_value = int(("-" if bounds.startswith("-") else "") + low)
            high_value = int(high)
        except ValueError:
            raise CannotRun(f"--input {text!r}: expected a range LOW-HIGH of integers, e.g. 0-999") from None
        if not dash or high_value < low_value:
            raise CannotRun(f"--input {text!r}: expected a range LOW-HIGH with LOW <= HIGH")
        spec = InputSpec(spec.name, spec.shape, spec.dtype, low_value, high_value)
    return spec


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


def _preimport_frameworks(spec: str) -> None:
    """Import the Keras flavours a target file names before running it, so that a functional model
    built at import time keeps its builder's lines (the hook must be there before the build).
    Not when the file chooses the Keras backend itself: importing Keras first would fix it."""
    if not spec.endswith(".py") or not os.path.isfile(spec):
        return
    try:
        with open(spec, encoding="utf-8", errors="replace") as handle:
            source = handle.read()
    except OSError:
        return
    if "KERAS_BACKEND" in source or "TF_USE_LEGACY_KERAS" in source:
        return
    named = [module for module, present in (("tf_keras", "tf_keras" in source),
                                            ("keras", "keras" in source.replace("tf_keras", ""))) if present]
    for module in named:
        try:
            importlib.import_module(module)
        except Exception:  # not installed: the file's own import will say so
            pass


@contextlib.contextmanager
def _own_argv(spec: str) -> Iterator[None]:
    """Robustness X9: the model's code sees `sys.argv` as if it were run alone (`[FILE]`), not
    layerlint's own arguments, which an `argparse` at import would try to parse."""
    saved = sys.argv
    sys.argv = [spec]
    try:
        yield
    finally:
        sys.argv = saved


def load_model(target: str, init_args: dict | None = None, before_build: Any = None) -> Any:
    from layerlint.runtime.hooks import frameworks_in_use, recording_builds

    spec, sep, name = target.rpartition(":")
    if not sep or not spec or not name:
        raise CannotRun(f"{target!r}: expected FILE_OR_MODULE:NAME, e.g. model.py:Net")
    _preimport_frameworks(spec)
    try:
        with recording_builds(frameworks_in_use()), _own_argv(spec):
            namespace = _load_namespace(spec)
    except CannotRun:
        raise
    except SystemExit as exc:  # robustness E13: a model file calling sys.exit() could not be traced
        raise CannotRun(f"importing {spec} called sys.exit({exc.code!r})") from None
    except Exception as exc:
        raise CannotRun(f"importing {spec} failed: {type(exc).__name__}: {exc}") from None
    obj: Any = namespace
    for part in name.split("."):
        if not hasattr(obj, part):
            raise CannotRun(f"{spec} has no attribute {name!r}")
        obj = getattr(obj, part)
    if _is_model(obj):
        if init_args:
            raise CannotRun(f"{name} is a model object, not a class or factory: --init-args cannot apply")
        return obj
    if callable(obj):
        what = "instantiating" if inspect.isclass(obj) else "calling"
        if before_build is not None:
            before_build()  # the frameworks the module imported are seeded now
        try:
            with recording_builds(frameworks_in_use()), _own_argv(spec):
                model = obj(**(init_args or {}))
        except SystemExit as exc:
            raise CannotRun(f"{what} {name}() called sys.exit({exc.code!r})") from None
        except Exception as exc:
            raise CannotRun(f"{what} {name}() failed: {type(exc).__name__}: {exc}") from None
        if not _is_model(model):
            raise CannotRun(f"{name}() returned {type(model).__name__}, not a Keras layer or a torch module")
        return model
    raise CannotRun(f"{name} is a {type(obj).__name__}, not a model, a model class or a factory")


def _is_keras_layer(model: Any) -> bool:
    torch_module = sys.modules.get("torch.nn.modules.module")
    return not (torch_module is not None and isinstance(model, torch_module.Module) and not _is_keras(model))


def _array(rng: Any, spec: InputSpec) -> Any:
    import numpy as np

    try:
        np_dtype = np.dtype(spec.dtype)
    except TypeError:
        raise CannotRun(f"dtype {spec.dtype!r}: not a dtype name") from None
    if np.issubdtype(np_dtype, np.integer) or np_dtype == np.bool_:
        return rng.integers(spec.low, spec.high + 1, size=spec.shape).astype(np_dtype)
    return rng.standard_normal(spec.shape).astype(np_dtype)


def _to_framework(model: Any, array: Any) -> Any:
    if not _is_keras_layer(model):
        import torch

        return torch.from_numpy(array)
    if "tf_keras.src.engine.base_layer" in sys.modules:
        from tf_keras.src.engine.base_layer import Layer

        if isinstance(model, Layer):
            import tensorflow as tf

            return tf.convert_to_tensor(array)
    return array


def make_inputs(model: Any, shapes: list[tuple[int, ...]] | list[InputSpec], dtype: str = "float32",
                seed: int = 0) -> list[Any]:
    """Random positional inputs, in the model's framework (kept for callers passing shapes)."""
    args, _ = make_call_inputs(model, [s if isinstance(s, InputSpec) else InputSpec(None, s, dtype)
                                       for s in shapes], seed)
    return args


def make_call_inputs(model: Any, specs: list[InputSpec], seed: int = 0) -> tuple[list[Any], dict[str, Any]]:
    """(positional arguments, keyword arguments) for one call of the model. A Keras model takes
    several positional inputs as one list and named inputs as one dict."""
    import numpy as np

    rng = np.random.default_rng(seed)
    args = [_to_framework(model, _array(rng, spec)) for spec in specs if spec.name is None]
    named = {spec.name: _to_framework(model, _array(rng, spec)) for spec in specs if spec.name is not None}
    if _is_keras_layer(model):
        if len(args) > 1:
            args = [args]
        if named:
            if args:
                raise CannotRun("a Keras model takes either positional inputs or named ones (one dict), not both")
            return [named], {}
    return args, named


def _is_keras(model: Any) -> bool:
    module = sys.modules.get("keras.src.layers.layer")
    return module is not None and isinstance(model, module.Layer)


def _seed(seed: int) -> None:
    """Seed every framework that is imported, so the model's initial weights repeat."""
    import random

    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    if "keras" in sys.modules:
        try:
            sys.modules["keras"].utils.set_random_seed(seed)
        except Exception:
            pass


def _mode_kwargs(model: Any, mode: str | None) -> dict[str, Any]:
    """Put a PyTorch model in the asked mode; a Keras model gets `training=` instead."""
    if mode is None:
        return {}
    if _is_keras_layer(model):
        return {"training": mode == "train"}
    model.train(mode == "train")
    return {}


def _init_args(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CannotRun(f"--init-args: not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(value, dict):
        raise CannotRun("--init-args: expected a JSON object of keyword arguments, e.g. '{\"weights\": null}'")
    return value


def _config_path(target: str) -> str:
    spec = target.rpartition(":")[0]
    return os.path.abspath(spec) if os.path.isfile(spec) else os.getcwd()


def run(args: argparse.Namespace) -> int:
    from layerlint.config import ConfigError, settings_for
    from layerlint.i18n import set_language
    from layerlint.runtime.tracer import trace

    out, err = sys.stdout, sys.stderr
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    config_path = _config_path(args.target)
    try:
        set_language(args.lang or settings_for(config_path).lang)
        specs = [InputSpec(None, _parse_shape(text), args.dtype) for text in args.input_shapes]
        specs += [parse_input(text, args.dtype) for text in args.inputs]
        if not specs:
            raise CannotRun("give the model's inputs with --input-shape or --input")
        init_args = _init_args(args.init_args)
        _seed(args.seed)
        model = load_model(args.target, init_args, before_build=lambda: _seed(args.seed))
        inputs, named = make_call_inputs(model, specs, args.seed)
        named.update(_mode_kwargs(model, args.mode))
        report = trace(model, *inputs, raise_on_error=False, select=args.select, ignore=args.ignore,
                       allow=args.allow, extend_select=args.extend_select, config_path=config_path,
                       default_selection=True, **named)
    except (CannotRun, ConfigError) as exc:
        print(f"layerlint trace: error: {exc}", file=err)
        return 2
    except Exception as exc:  # a bug in the user's model outside the forward pass, or in ours
        print(f"layerlint trace: error: {type(exc).__name__}: {exc}", file=err)
        return 2
    if args.html:
        from layerlint.runtime.html import write_html_report

        try:
            write_html_report(report, args.html, lang=args.lang)
        except OSError as exc:
            print(f"layerlint trace: error: cannot write {args.html}: {exc}", file=err)
            return 2
    _print(report, args.format, out, args.lang)
    if report.error is None and args.format != "json":
        print(_summary_line(report, args.lang), file=err)  # stderr: stdout stays the findings alone
    mismatch = any(d.code == "LL001" for d in report.diagnostics)
    if report.error is not None and not mismatch:
        from layerlint.runtime.records import error_text

        print(f"layerlint trace: error: the forward pass raised {error_text(report.error)}", file=err)
        return 2
    if report.blind:
        print("layerlint trace: error: no layer call was recorded, so nothing was checked", file=err)
        return 2
    return 1 if report.diagnostics else 0


def _print(report: Any, format: str, out: Any, lang: str | None) -> None:
    if format == "json":
        print(report.to_json(lang), file=out)
        return
    if format == "table":
        print(report.render_table(), file=out)
        if report.diagnostics:
            print("", file=out)
    text = report.render_text(lang)
    if text:
        print(text, file=out)


def _summary_line(report: Any, lang: str | None) -> str:
    """The report's summary, and how to see the findings the selection hid (LL003 by default)."""
    from layerlint.diagnostics import Text
    from layerlint.i18n import N_

    line = report.summary(lang)
    if report.hidden:
        codes = ", ".join(sorted({d.code for d in report.hidden}))
        line += " " + Text(N_("({count} more hidden by the selection or configuration: {codes})"),
                           {"count": len(report.hidden), "codes": codes}).render(lang)
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="layerlint trace")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
