"""The editor uses the project model (issue 14, "Done when"): saving `norms.py` re-checks the open
`model.py` that imports its factory, so the finding that came from the old factory goes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from layerlint.server.client import StdioClient

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30

NORMS = """
import torch.nn as nn


def make_norm(width=8):
    return nn.BatchNorm1d(width)
"""

MODEL = """
import torch.nn as nn

from .norms import make_norm


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = make_norm()

    def forward(self, x):
        x = self.norm(x)
        return self.norm(x)
"""


def test_saving_an_imported_module_rechecks_the_open_importer(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "norms.py").write_text(NORMS)
    (package / "model.py").write_text(MODEL)
    model_uri, norms_uri = (package / "model.py").as_uri(), (package / "norms.py").as_uri()
    client = StdioClient([sys.executable, "-m", "layerlint.server"], cwd=str(ROOT))
    try:
        client.initialize()
        mark = client.mark()
        client.open(model_uri, MODEL)
        published, _ = client.wait_diagnostics(model_uri, version=1, start=mark, timeout=TIMEOUT)
        assert "LL002" in {d.code for d in published.diagnostics}  # shared BatchNorm statistics

        changed = NORMS.replace("nn.BatchNorm1d(width)", "nn.ReLU()")
        client.open(norms_uri, changed)
        (package / "norms.py").write_text(changed)
        mark = client.mark()
        client.save(norms_uri)
        published, _ = client.wait_diagnostics(model_uri, start=mark, timeout=TIMEOUT)
        assert "LL002" not in {d.code for d in published.diagnostics}
    finally:
        client.kill()
