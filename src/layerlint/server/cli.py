"""`layerlint server`: the language server over stdio (add_arguments, run).

Importable without the `lsp` extra, so `layerlint --help` works everywhere; `run` says what to
install when pygls is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys


EXIT_OK, EXIT_ERROR = 0, 2
INSTALL_HINT = "layerlint server needs the language-server extra: pip install 'layerlint[lsp]'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Run the layerlint language server over stdio, for editors: diagnostics while "
                          "you type, quick fixes, and layer verdicts on hover. The edited code is "
                          "parsed, never imported or executed.")
    parser.add_argument("--stdio", action="store_true",
                        help="talk LSP over stdin/stdout (the default and only transport; accepted "
                             "because many editors pass it)")
    parser.add_argument("--log-file", metavar="PATH", help="write the server's log to this file "
                                                           "(default: standard error)")
    parser.add_argument("--log-level", default="warning",
                        choices=["debug", "info", "warning", "error"], help="default: warning")
    parser.add_argument("--check-time-limit", type=_positive, default=None, metavar="SECONDS",
                        help="stop checking a document after this long and say so on its first line "
                             "(default: 10)")
    parser.add_argument("--workers", type=int, choices=range(1, 17), default=None, metavar="N",
                        help="processes that check documents in parallel (1-16, default: 2)")


def _positive(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {value!r}")
    return seconds


def run(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("pygls") is None:
        print(f"{INSTALL_HINT} (No module named 'pygls')", file=sys.stderr)
        return EXIT_ERROR
    handler: logging.Handler = (logging.FileHandler(args.log_file, encoding="utf-8")
                                if getattr(args, "log_file", None) else logging.StreamHandler(sys.stderr))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(getattr(logging, str(getattr(args, "log_level", "warning")).upper(), logging.WARNING))
    from layerlint.server.pool import SIZE, TIME_LIMIT, WorkerPool

    # The checking processes start first: they warm up while this one imports the LSP machinery.
    limit = getattr(args, "check_time_limit", None)
    pool = WorkerPool(size=getattr(args, "workers", None) or SIZE, time_limit=TIME_LIMIT if limit is None else limit)
    pool.prespawn()
    try:
        from layerlint.server.server import serve
    except ImportError as error:
        pool.close()
        print(f"{INSTALL_HINT} ({error})", file=sys.stderr)
        return EXIT_ERROR
    # stdout carries the protocol: anything else printed there would corrupt it.
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    serve(stdin, stdout, pool=pool)
    return EXIT_OK
