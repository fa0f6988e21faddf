"""The flake8 plugin: `flake8 --select LL` reports layerlint's findings with flake8's other checks.

Registered under the `flake8.extension` entry point group with the code prefix `LL`:

    [project.entry-points."flake8.extension"]
    LL = "layerlint.flake8_plugin:Plugin"

The plugin checks the text flake8 read (`lines`), so `flake8 -` (standard input), editors that pipe
the buffer, and `nbqa flake8` all see the same result as `layerlint check`.

The rules that run are layerlint's defaults (LL003 is off), or those named by the plugin's option
`--layerlint-select` (`layerlint-select = ALL` in the flake8 config), which works as `layerlint check
--select`: codes or prefixes, replacing the default set. flake8's own `--select`/`--ignore` then filter
what is reported, as for any plugin: `flake8 --select LL` shows only layerlint's findings. `# noqa`
comments work both ways (layerlint and flake8 read them). Messages are one line, as flake8 needs;
related places and help are in `layerlint check`'s own output.
"""

from __future__ import annotations

from typing import Any, Iterator

from layerlint import __version__
from layerlint.static.checker import Selection, check_source


class Plugin:
    name = "layerlint"
    version = __version__
    selection = Selection()

    def __init__(self, tree: Any, filename: str, lines: list[str]):
        self.tree = tree  # flake8's tree is not reused: the checker parses the text itself
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        option_manager.add_option(
            "--layerlint-select", metavar="CODES", default=None, parse_from_config=True,
            comma_separated_list=True,
            help="layerlint rules to run, as `layerlint check --select`: codes or prefixes, or ALL "
                 "(default: layerlint's default rules; LL003 is off)")

    @classmethod
    def parse_options(cls, options: Any) -> None:
        codes = getattr(options, "layerlint_select", None)
        if isinstance(codes, str):
            codes = codes.split(",")
        codes = tuple(code.strip().upper() for code in codes or () if code.strip())
        cls.selection = Selection(select=codes) if codes else Selection()

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        text = "".join(self.lines)
        for diagnostic in check_source(text, self.filename, self.selection):
            message = " ".join(diagnostic.message.render().split())
            yield diagnostic.span.line, max(diagnostic.span.column - 1, 0), f"{diagnostic.code} {message}", type(self)
