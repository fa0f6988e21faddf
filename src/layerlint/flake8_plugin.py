"""The flake8 plugin: `flake8 --select LL` reports layerlint's findings with flake8's other checks.

Registered under the `flake8.extension` entry point group with the code prefix `LL`:

    [project.entry-points."flake8.extension"]
    LL = "layerlint.flake8_plugin:Plugin"

The plugin checks the text flake8 read (`lines`), so `flake8 -` (standard input), editors that pipe
the buffer, and `nbqa flake8` all see the same result as `layerlint check`.

The file is checked with its `[tool.layerlint]` / `layerlint.toml` configuration, as by `layerlint
check`; the plugin's option `--layerlint-select` (`layerlint-select = ALL` in the flake8 config) works
as `layerlint check --select`: codes or prefixes, replacing the configured or default set. flake8's own `--select`/`--ignore` then filter
what is reported, as for any plugin: `flake8 --select LL` shows only layerlint's findings. `# noqa`
comments work both ways (layerlint and flake8 read them). Messages are one line, as flake8 needs;
related places and help are in `layerlint check`'s own output.
"""

from __future__ import annotations

from typing import Any, Iterator

from layerlint._version import __version__
from layerlint.api import check_text
from layerlint.config import ConfigError, Overrides


class Plugin:
    name = "layerlint"
    version = __version__
    overrides = Overrides()
    option_error: str | None = None

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
        try:
            cls.overrides, cls.option_error = (Overrides(select=codes) if codes else Overrides()), None
        except ConfigError as error:
            cls.overrides, cls.option_error = Overrides(), f"--layerlint-select: {error}"

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        text = "".join(self.lines)
        try:
            if self.option_error:
                raise ConfigError(self.option_error)
            found = check_text(text, self.filename, self.overrides)
        except ConfigError as error:
            yield 1, 0, f"LL902 configuration error: {' '.join(str(error).split())}", type(self)
            return
        for diagnostic in found:
            message = " ".join(diagnostic.message.render().split())
            yield diagnostic.span.line, max(diagnostic.span.column - 1, 0), f"{diagnostic.code} {message}", type(self)
