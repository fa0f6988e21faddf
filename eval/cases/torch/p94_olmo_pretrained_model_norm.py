# source: allenai/OLMo#222 — "Sequential Olmo block should not have shared layernorm" (the model subclasses transformers' PreTrainedModel)
import torch.nn as nn
from transformers import PretrainedConfig, PreTrainedModel


class TinyOlmoConfig(PretrainedConfig):
    model_type = "tiny-olmo"

    def __init__(self, d_model=16, **kwargs):
        super().__init__(**kwargs)
        self.d_model = d_model


class TinyOlmoBlock(PreTrainedModel):
    config_class = TinyOlmoConfig

    def __init__(self, config):
        super().__init__(config)
        self.norm = nn.LayerNorm(config.d_model)
        self.att_proj = nn.Linear(config.d_model, config.d_model)
        self.ff_proj = nn.Linear(config.d_model, config.d_model)

    def forward(self, x):
        x = x + self.att_proj(self.norm(x))
        return x + self.ff_proj(self.norm(x))  # expect: LL002

# run: TinyOlmoBlock(TinyOlmoConfig()) on (2, 5, 16)
