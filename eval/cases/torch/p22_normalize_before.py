# source: k2-fsa/snowfall#184 — "Fix transformer/conformer bugs when normalize_before is false"
# expect-none
import torch.nn as nn


class EncoderLayer(nn.Module):
    def __init__(self, d_model=16, normalize_before=True):
        super().__init__()
        self.normalize_before = normalize_before
        self.norm_mha = nn.LayerNorm(d_model)
        self.mha = nn.MultiheadAttention(d_model, 2, batch_first=True)

    def forward(self, x):
        residual = x
        if self.normalize_before:
            x = self.norm_mha(x)
        x = residual + self.mha(x, x, x)[0]
        if not self.normalize_before:
            x = self.norm_mha(x)
        return x

# run: EncoderLayer() on (2, 4, 16)
# run: EncoderLayer(normalize_before=False) on (2, 4, 16)
