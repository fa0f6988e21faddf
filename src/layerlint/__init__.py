"""layerlint: find, explain and fix unsafe reuse of layer instances in Keras and PyTorch models.

The library API is the product; the `layerlint` command is a thin client of it:

    check_source(text, path=...)  findings for one module's source (never imports or runs it)
    check_paths(paths)            findings for every Python file under the paths
    trace(model, *inputs)         run one forward pass and report shared layer instances
    tracing()                     record every layer call made inside a `with` block
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"  # before the imports below: submodules (the cache key) read it

from layerlint.diagnostics import (  # noqa: E402
    Applicability, Confidence, Diagnostic, Fix, Related, Severity, Span, Text,
)
from layerlint.static.checker import Selection, check_paths, check_source  # noqa: E402

__all__ = [
    "Applicability", "Confidence", "Diagnostic", "Fix", "Related", "Selection", "Severity", "Span", "Text",
    "check_paths", "check_source", "trace", "tracing",
]


def trace(model: Any, *inputs: Any, **kwargs: Any) -> Any:
    """Runs one forward pass of `model` and reports shared layer instances (imports the framework)."""
    from layerlint.runtime import trace as run_trace

    return run_trace(model, *inputs, **kwargs)


def tracing(*args: Any, **kwargs: Any) -> Any:
    """Records every layer call made inside the `with` block (`tracing(model)`: see layerlint.runtime)."""
    from layerlint.runtime import tracing as start_tracing

    return start_tracing(*args, **kwargs)
