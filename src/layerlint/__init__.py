"""layerlint: find, explain and fix unsafe reuse of layer instances in Keras and PyTorch models.

The library API is the product; the `layerlint` command is a thin client of it:

    check_paths(paths)            findings for every Python file under the paths, with the files'
                                  `[tool.layerlint]` configuration, as `layerlint check` reports them
    check_text(text, path)        the same for one text (the configuration of `path` applies)
    check_source(text, path=...)  one module's findings with an explicit `Selection` and no configuration
    trace(model, *inputs)         run one forward pass and report shared layer instances
    tracing()                     record every layer call made inside a `with` block

None of the checks imports or runs the checked code. `layerlint.api` has the whole pipeline (per-file
results, fixing, the cache, worker processes).
"""

from __future__ import annotations

from typing import Any, Sequence

from layerlint._version import __version__
from layerlint.api import check_text
from layerlint.config import Overrides
from layerlint.diagnostics import Applicability, Confidence, Diagnostic, Fix, Related, Severity, Span, Text
from layerlint.static.checker import check_source
from layerlint.static.selection import Selection

__all__ = [
    "Applicability", "Confidence", "Diagnostic", "Fix", "Overrides", "Related", "Selection", "Severity", "Span",
    "Text", "__version__", "check_paths", "check_source", "check_text", "trace", "tracing",
]


def check_paths(paths: Sequence[str] = (".",), overrides: Overrides = Overrides(), *,
                jobs: int = 1) -> list[Diagnostic]:
    """Findings for every Python file and notebook under `paths`, in path order, each file checked with
    its `[tool.layerlint]` / `layerlint.toml` settings and `overrides` on top (as `layerlint check`)."""
    from layerlint import api

    return [d for result in api.check_paths(paths, overrides, jobs=jobs) for d in result.diagnostics]


def trace(model: Any, *inputs: Any, **kwargs: Any) -> Any:
    """Runs one forward pass of `model` and reports shared layer instances (imports the framework)."""
    from layerlint.runtime import trace as run_trace

    return run_trace(model, *inputs, **kwargs)


def tracing(*args: Any, **kwargs: Any) -> Any:
    """Records every layer call made inside the `with` block (`tracing(model)`: see layerlint.runtime)."""
    from layerlint.runtime import tracing as start_tracing

    return start_tracing(*args, **kwargs)
