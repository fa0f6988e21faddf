# source: huggingface/diffusers models/transformers/transformer_rfd4_proteina.py — recycling: the output fed back through the same norm
# Designed sharing: a refinement loop feeds the previous result back through one RMSNorm and one projection.
import torch
import torch.nn as nn


class Recycler(nn.Module):
    def __init__(self, width=16, cycles=3):
        super().__init__()
        self.cycles = cycles
        self.norm = nn.RMSNorm(width)
        self.proj = nn.Linear(width, width)

    def forward(self, x):
        previous = torch.zeros_like(x)
        for _ in range(self.cycles):
            previous = x + self.proj(self.norm(previous))  # expect: LL003
        return previous

# run: Recycler() on (2, 16)
