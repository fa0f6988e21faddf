"""Models built on a library's base class (issue 14: transformers' `PreTrainedModel`, keras-hub's
`Backbone`) are read as models of the library's framework, with the library not installed: the
checker knows their bases by name (`layerlint.frameworks`), never by importing them."""

from __future__ import annotations

import textwrap

import pytest

from layerlint.static.checker import Selection, check_source

TORCH_BODY = """
    def __init__(self, config):
        super().__init__(config)
        self.a = nn.Linear(3, 6)
        self.b = nn.Linear(3, 6)
        self.norm = nn.BatchNorm1d(6)

    def forward(self, x):
        y = self.norm(self.a(x))
        return self.norm(self.b(x))
"""
KERAS_BODY = """
    def __init__(self):
        super().__init__()
        self.norm = layers.BatchNormalization()
        self.a = layers.Dense(8)
        self.b = layers.Dense(16)

    def call(self, x):
        return self.norm(self.b(self.norm(self.a(x))))
"""


@pytest.mark.parametrize("header, base, body, code", [
    ("from torch import nn\nfrom transformers import BertPreTrainedModel", "BertPreTrainedModel", TORCH_BODY, "LL002"),
    ("from torch import nn\nfrom transformers.modeling_utils import PreTrainedModel", "PreTrainedModel", TORCH_BODY,
     "LL002"),
    ("from torch import nn\nfrom diffusers import ModelMixin", "ModelMixin", TORCH_BODY, "LL002"),
    ("from torch import nn\nimport lightning as L", "L.LightningModule", TORCH_BODY, "LL002"),
    ("from keras import layers\nfrom keras_hub.models import Backbone", "Backbone", KERAS_BODY, "LL001"),
])
def test_a_library_base_makes_a_model(header, base, body, code):
    source = f"{header}\n\n\nclass Net({base}):{textwrap.indent(textwrap.dedent(body), '    ')}"
    assert [d.code for d in check_source(source, "m.py", Selection(select=("ALL",)))] == [code]


def test_an_unknown_base_is_not_guessed():
    source = "from torch import nn\nfrom mylib import Thing\n\n\nclass Net(Thing):" + textwrap.indent(
        textwrap.dedent(TORCH_BODY), "    ")
    assert check_source(source, "m.py", Selection(select=("ALL",))) == []
