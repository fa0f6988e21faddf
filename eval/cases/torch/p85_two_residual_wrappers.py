# source: facebookresearch/param#41 — "do not share params among MLP hidden layers" (one Linear given to two residual wrappers)
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


class MLP(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        hidden = nn.Linear(width, width)
        self.blocks = nn.Sequential(Residual(hidden), Residual(hidden))  # expect: LL003

    def forward(self, x):
        return self.blocks(x)

# run: MLP() on (2, 16)
