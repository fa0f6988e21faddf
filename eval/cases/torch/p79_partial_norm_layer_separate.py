# source: microsoft/unilm#989 — BEiT-style blocks take `norm_layer` (a class or functools.partial) and build their own norms
# A partial is a constructor: every call makes a new LayerNorm, so nothing is shared.
# expect-none
from functools import partial

import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim, norm_layer):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = nn.Linear(dim, dim)
        self.norm2 = norm_layer(dim)
        self.mlp = nn.Linear(dim, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Encoder(nn.Module):
    def __init__(self, dim=16, depth=2):
        super().__init__()
        norm_layer = partial(nn.LayerNorm, eps=1e-6)
        self.blocks = nn.ModuleList([Block(dim, norm_layer) for _ in range(depth)])
        self.norm = norm_layer(dim)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.norm(x)

# run: Encoder() on (2, 5, 16)
