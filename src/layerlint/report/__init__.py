"""Output formats: pure functions from diagnostics to text, one module per format."""

from __future__ import annotations

from typing import Callable, Sequence

from layerlint.diagnostics import Diagnostic
from layerlint.report import github, json_format, junit, sarif, text

Formatter = Callable[[Sequence[Diagnostic], str | None], str]

FORMATS: dict[str, Formatter] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
}
