# source: acids-ircam/ddsp_pytorch#37 — `[module] * n` repeats one object; here in a plain Python list of heads
import torch
import torch.nn as nn


class MultiHead(nn.Module):
    def __init__(self, dim=8, heads=3):
        super().__init__()
        self.heads = nn.ModuleList([nn.Sequential(nn.Linear(dim, dim), nn.LayerNorm(dim))] * heads)  # expect: LL004

    def forward(self, x):
        return torch.stack([head(x) for head in self.heads], dim=1)

# run: MultiHead() on (2, 8)
