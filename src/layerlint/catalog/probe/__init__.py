"""`layerlint probe`: measure how reusable each layer class of the installed framework is.

For each public layer class the probe builds ONE instance with minimal constructor arguments
(`probe_specs.py`), calls it on a first input and then on inputs that differ in the feature size,
in the spatial/time size, in rank and in batch size, and on the first shape again. It records the
state (trainable weights, non-trainable statistics, random-generator state, other tensors held by
the layer) before and after the first call, whether the same-shape call reused it, whether a
training-mode call changes non-trainable state (statistics), and which input properties the first
call pinned. A failed variation counts as caused by reuse only when a fresh instance built from
the same specification accepts the same input (the control). Verdicts never compare outputs
between calls, so a layer with random output cannot be misjudged by them.

The result is a catalog document, the format of `catalog/data/<framework>.json`.
"""

from layerlint.catalog.probe.adapters import ProbeError
from layerlint.catalog.probe.cli import add_arguments, main, run
from layerlint.catalog.probe.measure import (
                                             REQUIRED_BY_RULES,
                                             generalize_probe_sizes,
                                             merge_documents,
                                             run_probe,
                                             templatize,
)
from layerlint.catalog.probe.report import category_counts, explain_class, render

__all__ = ["REQUIRED_BY_RULES", "ProbeError", "add_arguments", "category_counts", "explain_class",
           "generalize_probe_sizes", "main", "merge_documents", "render", "run", "run_probe", "templatize"]
