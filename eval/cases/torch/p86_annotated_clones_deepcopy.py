# source: harvardnlp/annotated-transformer#9 — "Use of deepcopy in clones function": deep copies are separate layers
# expect-none
import copy

import torch.nn as nn


def clones(module, n):
    return nn.ModuleList([copy.deepcopy(module) for _ in range(n)])


class EncoderLayer(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.norm = nn.LayerNorm(size)
        self.ff = nn.Linear(size, size)

    def forward(self, x):
        return x + self.ff(self.norm(x))


class Encoder(nn.Module):
    def __init__(self, layer, n):
        super().__init__()
        self.layers = clones(layer, n)
        self.norm = nn.LayerNorm(layer.norm.normalized_shape)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)

# run: Encoder(EncoderLayer(16), 3) on (2, 5, 16)
