# source: layerlint issue 15, point 2 — one norm for the query and for the memory of a cross-attention (different roles)
# Accident: the query and the memory are different things; one LayerNorm scales both.
import torch.nn as nn


class CrossBlock(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, 2, batch_first=True)

    def forward(self, inputs):
        query, memory = inputs
        q = self.norm(query)
        m = self.norm(memory)  # expect: LL002
        out, _ = self.attn(q, m, m)
        return out

# run: CrossBlock() on (2, 3, 16); (2, 5, 16)
