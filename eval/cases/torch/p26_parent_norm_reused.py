# source: allenai/OLMo#222 — the sequential block subclass uses the base block's single norm for attention and FFN
import torch.nn as nn


class BlockBase(nn.Module):
    def __init__(self, d_model=16):
        super().__init__()
        self.attn_norm = nn.LayerNorm(d_model)
        self.ff_norm = nn.LayerNorm(d_model)
        self.att_proj = nn.Linear(d_model, d_model)
        self.ff_proj = nn.Linear(d_model, d_model)


class SequentialBlock(BlockBase):
    def forward(self, x):
        x = x + self.att_proj(self.attn_norm(x))
        x = x + self.ff_proj(self.attn_norm(x))  # expect: LL002
        return x

# run: SequentialBlock() on (2, 4, 16)
