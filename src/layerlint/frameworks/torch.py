"""PyTorch (`torch.nn`)."""

from __future__ import annotations

from layerlint import frameworks

FRAMEWORK = frameworks.Framework(
    name="torch",
    display="PyTorch",
    module="torch",
    layer_base_module="torch.nn.modules.module",
    install="pip install torch==2.13.0",
    namespaces=("torch.nn.",),
    model_bases=frozenset({"Module", "Sequential", "ModuleList", "ModuleDict"}),
    layer_module="torch.nn",
    channels_first=True,
    probe_adapter="layerlint.catalog.probe.adapters:TorchAdapter",
    library_bases=(
        ("transformers.", "PreTrainedModel"), ("diffusers.", "ModelMixin"), ("lightning.", "LightningModule"),
        ("pytorch_lightning.", "LightningModule"),
    ),
    input_layouts={
        "vec": "BF", "seq": "BFS", "img": "BFSS", "vol": "BFSSS", "tseq": "TBF",
        "ints": ("BS", "int"),
    },
)
