"""The `layerlint` command: a thin client of the library API.

Exit codes (all subcommands): 0 nothing to report; 1 findings were reported; 2 something could not
be checked or run (unreadable or unparsable file, bad arguments, missing framework).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from layerlint import api
from layerlint._version import __version__
from layerlint.config import ConfigError, Overrides, resolve
from layerlint.diagnostics import Diagnostic, could_not_check
from layerlint.i18n import N_, rule_documentation, rule_summary, set_language, translate
from layerlint.report import FORMATS
from layerlint.report import text as text_report
from layerlint.report.progress import Progress
from layerlint.report.statistics import statistics
from layerlint.static.cache import DEFAULT_DIRECTORY, Cache
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
    codes = tuple(part.strip().upper() for part in value.split(",") if part.strip())
    if not codes:
        raise argparse.ArgumentTypeError("expected comma-separated rule codes or prefixes, e.g. LL001,LL003")
    return codes


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def _cache_folder() -> str:
    """`$LAYERLINT_CACHE_DIR` when set to something: an empty value means unset, never the current
    folder (which would get the cache's `.gitignore` and be ignored by git)."""
    return os.environ.get("LAYERLINT_CACHE_DIR") or DEFAULT_DIRECTORY


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
                       help="files or folders to check (default: the current folder); - reads standard input")
    check.add_argument("--stdin-filename", metavar="PATH",
                       help="the path standard input stands for: its configuration applies and findings "
                            "name it; with --fix the fixed text is written to standard output")
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
    check.add_argument("--jobs", "-j", type=_positive, default=os.cpu_count() or 1, metavar="N",
                       help="worker processes (default: all cores; never more than the cores); the output "
                            "order does not depend on it")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", default=_cache_folder(),
                       metavar="DIR", help="where the result cache lives (default: ./.layerlint_cache, "
                                           "or $LAYERLINT_CACHE_DIR)")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes in place (each call site gets its own instance)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff, also apply unsafe fixes (they change parameter counts "
                            "and checkpoint keys)")
    check.add_argument("--diff", action="store_true", help="print the diff --fix would apply; write nothing")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit with 0 even when findings are reported (2 still means a file could not be "
                            "checked)")
    check.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--quiet", "-q", action="store_true",
                       help="print the findings only: no summary line, no progress bar")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the text output: auto (default) colours a terminal unless NO_COLOR is set; "
                            "FORCE_COLOR forces it")
    check.add_argument("--baseline", metavar="FILE",
                       help="report only the findings FILE does not accept (see --write-baseline); the exit "
                            "code counts only those")
    check.add_argument("--write-baseline", action="store_true",
                       help="with --baseline FILE: record every current finding in FILE as accepted, exit 0")
    check.add_argument("--show-baseline", action="store_true",
                       help="with --baseline FILE: also print the accepted findings, marked as such")
    check.add_argument("--watch", action="store_true",
                       help="check again whenever a checked file or a configuration file changes (Ctrl-C stops)")

    commands.add_parser("rules", help="list the rules with their codes, names and severities")

    explain = commands.add_parser("explain", help="print a rule's documentation or a layer class's verdict")
    explain.add_argument("--lang", metavar="LANG", help="language of the documentation (e.g. en, zh); "
                                                        "default: the locale")
    explain.add_argument("--details", action="store_true",
                         help="for a layer class, also print the probe's evidence behind the verdict")
    explain.add_argument("subject", metavar="CODE|CLASS",
                         help="a rule code (LL001), a rule name (reuse-shape-mismatch) or a layer class "
                              "(BatchNormalization, torch.nn.BatchNorm2d)")

    init = commands.add_parser("init", help="write a commented [tool.layerlint] table to start a configuration",
                               description="Append every setting, commented out, as a [tool.layerlint] table to "
                                           "FOLDER/pyproject.toml (or write FOLDER/layerlint.toml when there is "
                                           "no pyproject.toml). Refuses, changing nothing, when the folder is "
                                           "already configured.", epilog=EPILOG)
    init.add_argument("folder", nargs="?", default=".", metavar="FOLDER", help="default: the current folder")

    for name, (module, summary) in DELEGATED.items():
        sub = commands.add_parser(name, help=summary, description=summary, epilog=EPILOG)
        try:
            importlib.import_module(module).add_arguments(sub)
        except ImportError:
            sub.set_defaults(unavailable=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _tolerate_unencodable_names()
    try:
        return _main(argv)
    except OutputError as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `layerlint explain LL001 | head`: the reader is gone, and that is fine
        _silence_stdout()
        return EXIT_FINDINGS


def _tolerate_unencodable_names() -> None:
    """A file name that is not valid UTF-8 (`bad\\xff.py`) reaches Python as lone surrogates; written
    to a strict UTF-8 stream it would crash the report, and written raw it would make JSON and SARIF
    invalid UTF-8. Escaped (`\\udcff`), every format stays valid and names the file."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass  # not a text stream of ours (a test's capture): nothing to do


def _silence_stdout() -> None:
    """Points stdout at /dev/null so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _main(argv: Sequence[str] | None) -> int:
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
        return run_explain(args.subject, args.lang, args.details)
    if args.command == "init":
        return run_init(args.folder)
    if getattr(args, "unavailable", None):
        print(f"layerlint {args.command}: not available in this installation", file=sys.stderr)
        return EXIT_ERROR
    return importlib.import_module(DELEGATED[args.command][0]).run(args)


def run_check(args: argparse.Namespace) -> int:
    try:
        overrides = Overrides(select=args.select, extend_select=args.extend_select, ignore=args.ignore,
                              lang=args.lang)
        settings = resolve(_settings_path(args), overrides)
    except ConfigError as error:
        return _configuration_error(error)
    set_language(settings.lang)
    if args.show_settings:
        print(settings.describe())
        return EXIT_CLEAN
    if (args.write_baseline or args.show_baseline) and not args.baseline:
        print("layerlint: --write-baseline and --show-baseline need --baseline FILE", file=sys.stderr)
        return EXIT_ERROR
    if (args.fix or args.diff) and _libcst_missing():
        return EXIT_ERROR
    if "-" in args.paths:
        return _check_stdin(args, overrides, settings.lang)
    if args.watch:
        from layerlint.watch import watch

        return watch(lambda: _check_once(args, overrides, settings.lang), args.paths)
    return _check_once(args, overrides, settings.lang)


def _settings_path(args: argparse.Namespace) -> str:
    if "-" in args.paths:
        return args.stdin_filename or "-"
    return args.paths[0]


def _libcst_missing() -> bool:
    from layerlint.fix.builders import libcst_missing

    if libcst_missing():
        print("layerlint: fixing needs libcst; install it with `pip install 'layerlint[fix]'`", file=sys.stderr)
        return True
    return False


def _check_once(args: argparse.Namespace, overrides: Overrides, lang: str | None) -> int:
    fixing = args.fix or args.diff
    progress = Progress("checking", enabled=False if args.no_progress or args.quiet else None)
    cache = None if args.no_cache else Cache(args.cache_dir or DEFAULT_DIRECTORY, "")
    api.tune_garbage_collection()
    try:
        if fixing:
            results = api.fix_paths(args.paths, overrides, unsafe=args.unsafe_fixes, write=not args.diff,
                                    jobs=args.jobs, cache=cache, progress=progress)
        else:
            results = api.check_paths(args.paths, overrides, jobs=args.jobs, cache=cache, progress=progress,
                                      fixes=args.format in FORMATS_WITH_FIXES)
    except ConfigError as error:
        return _configuration_error(error)
    finally:
        progress.close()
    diagnostics = [d for result in results for d in result.diagnostics]
    if fixing:
        return _report_fixes(results, diagnostics, args, lang)
    return _report(diagnostics, args, lang)


def _check_stdin(args: argparse.Namespace, overrides: Overrides, lang: str | None) -> int:
    """`check -`: the text comes from standard input and stands for `--stdin-filename` (its settings,
    its name in the findings). With --fix the fixed text goes to standard output and the findings
    that remain to standard error, so `layerlint check --fix - < m.py > fixed.py` works as ruff's."""
    if args.paths != ["-"]:
        print("layerlint: - (standard input) cannot be combined with other paths", file=sys.stderr)
        return EXIT_ERROR
    path = args.stdin_filename or "-"
    data = sys.stdin.buffer.read()
    try:
        if args.fix or args.diff:
            new, result = api.fix_bytes(data, path, overrides, unsafe=args.unsafe_fixes)
            if args.diff:
                _emit(result.diff, args)
                return EXIT_FINDINGS if result.diff or result.diagnostics else _exit_code(result.diagnostics)
            sys.stdout.buffer.write(new if new is not None else data)
            sys.stdout.flush()
            report = _render(result.diagnostics, args, lang, color=False)
            sys.stderr.write(report)
            return _final_code(result.diagnostics, args)
        result = api.check_bytes(data, path, overrides, fixes=args.format in FORMATS_WITH_FIXES)
    except ConfigError as error:
        return _configuration_error(error)
    return _report(result.diagnostics, args, lang, texts={path: data.decode("utf-8", errors="replace")})


def _report(diagnostics: list[Diagnostic], args: argparse.Namespace, lang: str | None,
            texts: dict[str, str] | None = None) -> int:
    """The findings as asked; with --baseline only those the baseline does not accept count."""
    if args.baseline:
        return _report_with_baseline(diagnostics, args, lang, texts)
    _emit(_render(diagnostics, args, lang, color=_use_color(args), texts=texts), args)
    return _final_code(diagnostics, args)


def _report_with_baseline(diagnostics: list[Diagnostic], args: argparse.Namespace, lang: str | None,
                          texts: dict[str, str] | None) -> int:
    from layerlint import baseline

    read_line = baseline.SourceLines(texts)
    try:
        if args.write_baseline:
            written = baseline.write(args.baseline, diagnostics, read_line)
            print(translate(N_("wrote {count} accepted finding(s) to {path}"), lang).format(
                count=sum(entry.count for entry in written.entries), path=args.baseline), file=sys.stderr)
            return EXIT_ERROR if any(could_not_check(d) for d in diagnostics) else EXIT_CLEAN
        accepted_by = baseline.load(args.baseline)
    except baseline.BaselineError as error:
        print(f"layerlint: {error.text.render(lang)}", file=sys.stderr)
        return EXIT_ERROR
    new, accepted, stale = baseline.partition(diagnostics, accepted_by, read_line)
    report = _render(new, args, lang, color=_use_color(args), texts=texts)
    if args.show_baseline and accepted:
        report += "\n" + translate(N_("Accepted by the baseline:"), lang) + "\n\n" + _render(
            accepted, args, lang, color=_use_color(args))
    _emit(report, args)
    line = baseline.summary(len(accepted), stale)
    if line is not None and not args.quiet:
        print(line.render(lang), file=sys.stderr)
        for entry in stale:
            print("  " + baseline.describe_stale(entry).render(lang), file=sys.stderr)
    return _final_code(new, args)


def _render(diagnostics: Sequence[Diagnostic], args: argparse.Namespace, lang: str | None, color: bool,
            texts: dict[str, str] | None = None) -> str:
    if args.statistics:
        return statistics(diagnostics, lang, json_format=args.format == "json")
    if args.format == "text":
        return text_report.render(diagnostics, lang, color=color, quiet=args.quiet)
    if args.format == "sarif":  # the formats read no file: the checked texts come from here
        from layerlint.baseline import SourceLines
        from layerlint.report import sarif

        return sarif.render(diagnostics, lang, sources=SourceLines(texts).text)
    return FORMATS[args.format](diagnostics, lang)


def _use_color(args: argparse.Namespace) -> bool:
    """ruff's and pytest's rule: --color wins; in `auto`, NO_COLOR turns colour off, FORCE_COLOR on,
    otherwise a terminal gets colour and a pipe or a file does not."""
    if args.color != "auto":
        return args.color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return not args.output_file and sys.stdout.isatty()


def _emit(text: str, args: argparse.Namespace) -> None:
    """To standard output, or to `--output-file` (created or truncated; a symbolic link there is
    refused rather than followed)."""
    if not args.output_file:
        sys.stdout.write(text)
        return
    try:
        descriptor = os.open(args.output_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0),
                             0o666)
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as out:
            out.write(text)
    except OSError as error:
        raise OutputError(f"layerlint: cannot write {args.output_file}: {error.strerror or error}") from None


class OutputError(Exception):
    """The report could not be written where it was asked to go."""


def _final_code(diagnostics: Sequence[Diagnostic], args: argparse.Namespace) -> int:
    code = _exit_code(diagnostics)
    return EXIT_CLEAN if code == EXIT_FINDINGS and args.exit_zero else code


def _configuration_error(error: ConfigError) -> int:
    print(f"layerlint: configuration error: {error}", file=sys.stderr)
    return EXIT_ERROR


def _exit_code(diagnostics: Sequence[Diagnostic]) -> int:
    if any(could_not_check(d) for d in diagnostics):
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics else EXIT_CLEAN


def _report_fixes(results: list[api.FileResult], remaining: list[Diagnostic], args: argparse.Namespace,
                  lang: str | None) -> int:
    """--fix: the findings that remain on stdout, "Fixed N finding(s) in M file(s)." on stderr.
    --diff: the diff of what --fix would change on stdout, "Would fix …" on stderr; exit 1 when there
    is something to fix or a finding remains. A file that could not be written keeps its findings
    on stdout and makes the exit code 2."""
    changed = [result for result in results if result.diff and result.write_error is None]
    for result in results:
        if result.write_error is not None:
            print(f"layerlint: {result.path}: " + translate(N_("the fixed file was not written: {reason}"), lang)
                  .format(reason=result.write_error.render(lang)), file=sys.stderr)
    if args.diff:
        _emit("".join(result.diff for result in changed), args)
        template = N_("Would fix {count} finding(s) in {files} file(s).")
    else:
        _emit(_render(remaining, args, lang, color=_use_color(args)), args)
        template = N_("Fixed {count} finding(s) in {files} file(s).")
    fixed = sum(len(result.applied) for result in changed)
    if not args.quiet:
        print(translate(template, lang).format(count=fixed, files=len(changed)), file=sys.stderr)
    if any(result.write_error is not None for result in results):
        return EXIT_ERROR
    code = _final_code(remaining, args)
    if args.diff and code == EXIT_CLEAN and changed and not args.exit_zero:
        return EXIT_FINDINGS
    return code


def run_rules() -> int:
    for rule in ALL_RULES:
        default = "" if rule.enabled_by_default else "  (off by default)"
        print(f"{rule.code}  {rule.name:<32} {rule.severity.label:<8} {rule_summary(rule)}{default}")
    for code, (name, summary) in PROBLEMS.items():
        print(f"{code}  {name:<32} {'error':<8} {summary}")
    return EXIT_CLEAN


def run_init(folder: str) -> int:
    from layerlint.init_config import InitError, done_message, init

    try:
        path, _ = init(folder)
    except InitError as error:
        print(f"layerlint init: {error.text.render()}", file=sys.stderr)
        return EXIT_ERROR
    print(done_message(path).render())
    return EXIT_CLEAN


def run_explain(subject: str, lang: str | None = None, details: bool = False) -> int:
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

    text = explain_class(None, subject, details=details, lang=lang)
    if text is None:
        print(f"layerlint explain: {subject!r} is neither a rule nor a layer class in the catalog; "
              "see `layerlint rules`", file=sys.stderr)
        return EXIT_ERROR
    print(text)
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
