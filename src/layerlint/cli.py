"""The `layerlint` command: a thin client of the library API.

Exit codes (all subcommands): 0 nothing to report; 1 findings were reported; 2 something could not
be checked or run (unreadable or unparsable file, bad arguments, missing framework).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
from typing import Sequence

from layerlint import __version__
from layerlint.diagnostics import could_not_check
from layerlint.i18n import rule_documentation, rule_summary, set_language
from layerlint.report import FORMATS
from layerlint.report.progress import Progress
from layerlint.static.cache import DEFAULT_DIRECTORY, Cache
from layerlint.config import ConfigError, Settings, settings_for, with_overrides
from layerlint.report.statistics import statistics
from layerlint.static.checker import check_paths, tune_garbage_collection
from layerlint.static.problems import PROBLEMS
from layerlint.static.rules import ALL_RULES, find

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS_WITH_FIXES = ("json", "sarif")  # the formats that show fixes; the others skip building them

DESCRIPTION = """\
Find, explain and fix unsafe reuse of layer instances in Keras and PyTorch models.

  layerlint check [PATH ...]   static check; never imports or runs the checked code
  layerlint rules              list the rules
  layerlint explain CODE|CLASS a rule's documentation, or a layer class's catalog verdict
  layerlint probe              measure layer reusability on the installed framework
  layerlint trace FILE:NAME    run a model and report shared layer instances (runs your code)
  layerlint server             language server for editors (LSP over stdio)
"""

EPILOG = "exit codes: 0 nothing found, 1 findings reported, 2 something could not be checked or run"

# Subcommands whose implementation lives beside its subsystem: (module, summary).
DELEGATED = {
    "probe": ("layerlint.catalog.probe", "measure each layer class's reusability on the installed framework"),
    "trace": ("layerlint.runtime.cli", "run a model once and report every shared layer instance "
                                       "(imports and runs your code)"),
    "server": ("layerlint.server.cli", "run the language server over stdio for editors (diagnostics, "
                                       "quick fixes, hover)"),
}


def _codes(value: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="layerlint", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"layerlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check", help="find unsafe layer reuse without running the code",
        description="Statically check Python files for unsafe reuse of layer instances. The checked "
                    "code is parsed, never imported or executed.", epilog=EPILOG)
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or folders to check (default: the current folder)")
    check.add_argument("--select", type=_codes, metavar="CODES",
                       help="comma-separated codes or prefixes to enable (e.g. LL001,LL003 or ALL); "
                            "replaces the configured or default set")
    check.add_argument("--extend-select", type=_codes, default=(), metavar="CODES",
                       help="codes to enable in addition to the default set (e.g. LL003)")
    check.add_argument("--ignore", type=_codes, default=(), metavar="CODES", help="codes or prefixes to disable")
    check.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    check.add_argument("--lang", metavar="LANG",
                       help="language of messages (e.g. en, zh); default: `lang` in the configuration, "
                            "then the locale")
    check.add_argument("--statistics", action="store_true", help="print the number of findings per rule instead")
    check.add_argument("--show-settings", action="store_true",
                       help="print the settings that apply to the first PATH (from pyproject.toml "
                            "[tool.layerlint] or layerlint.toml, and the options) and exit")
    check.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    check.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="worker processes (default: all cores); the output order does not depend on it")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", default=os.environ.get("LAYERLINT_CACHE_DIR", DEFAULT_DIRECTORY),
                       metavar="DIR", help="where the result cache lives (default: ./.layerlint_cache, "
                                           "or $LAYERLINT_CACHE_DIR)")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes in place (each call site gets its own instance)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff, also apply unsafe fixes (they change parameter counts "
                            "and checkpoint keys)")
    check.add_argument("--diff", action="store_true", help="print the diff --fix would apply; write nothing")

    commands.add_parser("rules", help="list the rules with their codes, names and severities")

    explain = commands.add_parser("explain", help="print a rule's documentation or a layer class's verdict")
    explain.add_argument("--lang", metavar="LANG", help="language of the documentation (e.g. en, zh); "
                                                        "default: the locale")
    explain.add_argument("subject", metavar="CODE|CLASS",
                         help="a rule code (LL001), a rule name (reuse-shape-mismatch) or a layer class "
                              "(BatchNormalization, torch.nn.BatchNorm2d)")

    for name, (module, summary) in DELEGATED.items():
        sub = commands.add_parser(name, help=summary, description=summary, epilog=EPILOG)
        try:
            importlib.import_module(module).add_arguments(sub)
        except ImportError:
            sub.set_defaults(unavailable=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CLEAN
    if args.command == "check":
        return run_check(args)
    if args.command == "rules":
        return run_rules()
    if args.command == "explain":
        return run_explain(args.subject, args.lang)
    if getattr(args, "unavailable", None):
        print(f"layerlint {args.command}: not available in this installation", file=sys.stderr)
        return EXIT_ERROR
    return importlib.import_module(DELEGATED[args.command][0]).run(args)


def run_check(args: argparse.Namespace) -> int:
    @functools.lru_cache(maxsize=None)  # one lookup per folder and run, not three per file
    def folder_settings(folder: str) -> Settings:
        return with_overrides(settings_for(folder), args.select, args.extend_select, args.ignore)

    def configure(path: str) -> Settings:
        return folder_settings(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)))

    try:
        settings = configure(args.paths[0])
    except ConfigError as error:
        print(f"layerlint: {error}", file=sys.stderr)
        return EXIT_ERROR
    lang = args.lang or settings.lang
    set_language(lang)
    if args.show_settings:
        print(settings.describe())
        return EXIT_CLEAN
    if args.fix or args.diff:
        from layerlint.fix.engine import run_fix_command

        return run_fix_command(args.paths, settings.selection(), unsafe=args.unsafe_fixes, diff=args.diff,
                               out=sys.stdout, format=args.format, lang=lang)
    progress = Progress("checking", enabled=False if args.no_progress else None)
    cache = None if args.no_cache else Cache(args.cache_dir, "")
    tune_garbage_collection()
    try:
        diagnostics = check_paths(args.paths, progress=progress, jobs=max(1, args.jobs), cache=cache,
                                  configure=configure, fixes=args.format in FORMATS_WITH_FIXES)
    except ConfigError as error:
        print(f"layerlint: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        progress.close()
    if args.statistics:
        sys.stdout.write(statistics(diagnostics, lang))
    else:
        sys.stdout.write(FORMATS[args.format](diagnostics, lang))
    if any(could_not_check(d) for d in diagnostics):
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics else EXIT_CLEAN


def run_rules() -> int:
    for rule in ALL_RULES:
        default = "" if rule.enabled_by_default else "  (off by default)"
        print(f"{rule.code}  {rule.name:<32} {rule.severity.label:<8} {rule_summary(rule)}{default}")
    for code, (name, summary) in PROBLEMS.items():
        print(f"{code}  {name:<32} {'error':<8} {summary}")
    return EXIT_CLEAN


def run_explain(subject: str, lang: str | None = None) -> int:
    rule = find(subject)
    if rule is not None:
        print(f"{rule.code} {rule.name} ({rule.severity.label})\n")
        print(rule_documentation(rule, lang))
        return EXIT_CLEAN
    if subject.upper() in PROBLEMS:
        name, summary = PROBLEMS[subject.upper()]
        print(f"{subject.upper()} {name}\n\n{summary}")
        return EXIT_CLEAN
    from layerlint.catalog.probe import explain_class

    text = explain_class(None, subject)
    if text is None:
        print(f"layerlint explain: {subject!r} is neither a rule nor a layer class in the catalog; "
              "see `layerlint rules`", file=sys.stderr)
        return EXIT_ERROR
    print(text)
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
