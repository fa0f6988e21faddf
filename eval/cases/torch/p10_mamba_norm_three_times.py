# source: kyegomez/MambaTransformer#14 — "layer norm called multiple times with same parameters" inside the block loop
import torch.nn as nn


class MambaTransformerBlock(nn.Module):
    def __init__(self, dim=16, depth=2):
        super().__init__()
        self.mamba_blocks = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])
        self.transformer_blocks = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])
        self.ffn_blocks = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        for mamba, attn, ffn in zip(self.mamba_blocks, self.transformer_blocks, self.ffn_blocks):
            x = self.norm(x)
            x = mamba(x) + x
            x = self.norm(x)  # expect: LL002
            x = attn(x) + x
            x = self.norm(x)
            x = ffn(x) + x
        return x

# run: MambaTransformerBlock() on (2, 3, 16)
