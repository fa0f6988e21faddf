# source: allenai/OLMo#222 — "Sequential Olmo block should not have shared layernorm": self.norm before attention and before the FFN
import torch.nn as nn
import torch.nn.functional as F


class SequentialBlock(nn.Module):
    def __init__(self, d_model=16, n_heads=2):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.att_proj = nn.Linear(d_model, 3 * d_model)
        self.attn_out = nn.Linear(d_model, d_model)
        self.ff_proj = nn.Linear(d_model, 4 * d_model)
        self.ff_out = nn.Linear(4 * d_model, d_model)
        self.dropout = nn.Dropout(0.0)
        self.act = nn.GELU()
        self.n_heads = n_heads

    def forward(self, x):
        q, k, v = self.att_proj(self.norm(x)).chunk(3, dim=-1)
        att = F.scaled_dot_product_attention(q, k, v)
        x = x + self.dropout(self.attn_out(att))
        x = x + self.dropout(self.ff_out(self.act(self.ff_proj(self.norm(x)))))  # expect: LL002
        return x

# run: SequentialBlock() on (2, 5, 16)
