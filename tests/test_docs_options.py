"""`layerlint check --help` and the docs agree (issue 18, "Done when"): every option of the parser is
documented in docs/cli.md, and every documented option exists in the parser; the same for the
subcommands."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from layerlint.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
CLI_PAGE = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("layerlint has no subcommands")


def parser_options(command: str = "check") -> set[str]:
    sub = _subparsers(build_parser())[command]
    return {option for action in sub._actions for option in action.option_strings} - {"-h", "--help"}


def _section(markdown: str, heading: str) -> str:
    start = markdown.index(heading)
    end = markdown.find("\n## ", start + len(heading))
    return markdown[start:] if end < 0 else markdown[start:end]


def documented_options() -> set[str]:
    """The options in the first column of the options table of docs/cli.md."""
    section = _section(CLI_PAGE.read_text(encoding="utf-8"), "## `layerlint check` options")
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    first_cells = [row.split("|")[1] for row in rows]
    return {option for cell in first_cells for option in re.findall(r"`(--?[a-z][a-z-]*)", cell)}


def documented_commands() -> set[str]:
    page = CLI_PAGE.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `layerlint ([a-z]+)", page, re.MULTILINE))


@pytest.mark.parametrize("option", sorted(documented_options() | parser_options()))
def test_check_option_is_in_the_docs_and_in_the_parser(option):
    assert option in documented_options(), f"{option} is not in the options table of docs/cli.md"
    assert option in parser_options(), f"docs/cli.md documents {option}, which `layerlint check` does not have"


@pytest.mark.parametrize("command", sorted(documented_commands() | set(_subparsers(build_parser()))))
def test_command_is_in_the_docs_and_in_the_parser(command):
    assert command in documented_commands(), f"`layerlint {command}` is not in the command table of docs/cli.md"
    assert command in _subparsers(build_parser()), f"docs/cli.md documents `layerlint {command}`, which does not exist"


def test_the_docs_table_is_read():
    """Guards the parsing above: a broken table would make every case vacuous."""
    assert {"--select", "--fix", "-j", "--jobs", "--baseline"} <= documented_options()
    assert {"check", "rules", "explain", "init"} <= documented_commands()


def test_readme_check_section_shows_stdin_baseline_and_init():
    section = _section(README.read_text(encoding="utf-8"), "## `layerlint check`")
    for needed in ("--stdin-filename src/model.py -", "--baseline", "--write-baseline", "--show-baseline",
                   "layerlint init", "docs/cli.md", "[fix]"):
        assert needed in section, needed
