# source: huggingface/transformers models/dinov2/modeling_dinov2.py (Dinov2Backbone) — one final norm for every output stage
# Designed sharing: a backbone returns several stages, each normalized by the same LayerNorm in a loop.
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self, width=16, depth=3):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.layernorm = nn.LayerNorm(width)

    def forward(self, x):
        stages = []
        for block in self.blocks:
            x = block(x)
            stages.append(x)
        feature_maps = []
        for stage in stages:
            feature_maps.append(self.layernorm(stage))  # expect: LL003
        return feature_maps

# run: Backbone() on (2, 4, 16)
