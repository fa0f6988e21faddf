"""`layerlint probe`: the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from layerlint.catalog import DATA_DIR, FRAMEWORKS, load
from layerlint.catalog.probe.adapters import ProbeError
from layerlint.catalog.probe.measure import merge_documents, run_probe
from layerlint.catalog.probe.report import render

# ---------------------------------------------------------------------------------------------
# Command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--framework", choices=FRAMEWORKS, default="keras",
                        help="framework to probe (default: keras)")
    parser.add_argument("--backend", choices=("tensorflow", "jax", "torch"), default=None,
                        help="Keras 3 backend (default: KERAS_BACKEND or tensorflow)")
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table",
                        dest="format", help="output format (default: table)")
    parser.add_argument("--output", metavar="FILE", default=None, help="write the output to FILE")
    parser.add_argument("--write-catalog", action="store_true",
                        help="write the result into the package's catalog (data/<framework>.json)")
    parser.add_argument("classes", nargs="*", metavar="CLASS",
                        help="probe only these classes (default: every public layer class)")


def run(args: argparse.Namespace) -> int:
    try:
        document = run_probe(args.framework, list(args.classes) or None,
                             getattr(args, "backend", None), progress=True)
        text = render(document, args.format)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        if args.write_catalog:
            path = DATA_DIR / f"{args.framework}.json"
            to_write = dict(document)
            to_write.pop("probe_seconds", None)
            if args.classes and path.exists():
                to_write = merge_documents(json.loads(path.read_text(encoding="utf-8")), document)
            path.write_text(render(to_write, "json"), encoding="utf-8")
            load.cache_clear()  # this process reads the new catalog from now on
            sys.stderr.write(f"layerlint probe: wrote {path} ({len(to_write['classes'])} classes, "
                             f"probe took {document.get('probe_seconds')} s)\n")
        return 0
    except ProbeError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    except OSError as error:
        sys.stderr.write(f"layerlint probe: {error}\n")
        return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="layerlint probe", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))
