# source: linkedin/Liger-Kernel#269 — "Fix sharing a ResBlock layer for each head in Medusa example"
# The ResBlock is built once, before the comprehension, so every head's Sequential holds the same one.
import torch
import torch.nn as nn


class ResBlock(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.linear = nn.Linear(hidden, hidden)
        self.act = nn.SiLU()

    def forward(self, x):
        return x + self.act(self.linear(x))


class MedusaHeads(nn.Module):
    def __init__(self, hidden=16, vocab=10, heads=3):
        super().__init__()
        block = ResBlock(hidden)
        self.heads = nn.ModuleList([nn.Sequential(block, nn.Linear(hidden, vocab)) for _ in range(heads)])

    def forward(self, x):
        return torch.stack([head(x) for head in self.heads], dim=0)  # expect: LL003

# run: MedusaHeads() on (2, 16)
