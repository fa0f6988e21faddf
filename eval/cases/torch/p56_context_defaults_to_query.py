# source: lucidrains/vit-pytorch vit_pytorch/mp3.py (Attention) — the context defaults to the query input, and one norm serves both
# Designed sharing: `context` stands for `x` when no context is given (self-attention), so one
# LayerNorm for both keeps that case exact. LL003 info; compare p49, where query and memory never
# stand for each other.
import torch.nn as nn


class Attention(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, 2, batch_first=True)

    def forward(self, inputs):
        x, context = inputs
        x = self.norm(x)
        context = self.norm(context) if context is not None else x  # expect: LL003
        out, _ = self.attn(x, context, context)
        return out

# run: Attention() on (2, 3, 16); (2, 5, 16)
