# source: IDEA-Research/DAB-DETR#17 — decoder layers made by a clones helper with copy.deepcopy (each has its own LayerNorms)
# expect-none
import copy

import torch.nn as nn


def _get_clones(module, n):
    return nn.ModuleList([copy.deepcopy(module) for _ in range(n)])


class DecoderLayer(nn.Module):
    def __init__(self, d_model=16):
        super().__init__()
        self.linear = nn.Linear(d_model, d_model)
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x):
        return self.norm(x + self.linear(x))


class Decoder(nn.Module):
    def __init__(self, num_layers=3):
        super().__init__()
        self.layers = _get_clones(DecoderLayer(), num_layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

# run: Decoder() on (2, 4, 16)
