# `nn.ModuleList([Block()] * n)`: the bug several public repositories confirmed. Every slot is one
# module, so a "6-layer" encoder trains a single layer applied six times.
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)

    def forward(self, x):
        return self.norm(x + self.linear(x))


class Encoder(nn.Module):
    def __init__(self, width=32, depth=6):
        super().__init__()
        self.blocks = nn.ModuleList([Block(width)] * depth)  # LL004: one Block, six slots

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x

# run: Encoder() on (2, 32)
