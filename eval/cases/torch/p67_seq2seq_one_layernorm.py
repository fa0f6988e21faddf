# source: bentrevett/pytorch-seq2seq#100 — "Use separate LayerNorm layers for attention and feedforward blocks"
import torch.nn as nn


class EncoderLayer(nn.Module):
    def __init__(self, hid=16, pf=32, heads=2):
        super().__init__()
        self.layer_norm = nn.LayerNorm(hid)
        self.self_attention = nn.MultiheadAttention(hid, heads, batch_first=True)
        self.positionwise = nn.Sequential(nn.Linear(hid, pf), nn.ReLU(), nn.Linear(pf, hid))

    def forward(self, src):
        attended, _ = self.self_attention(src, src, src)
        src = self.layer_norm(src + attended)
        src = self.layer_norm(src + self.positionwise(src))  # expect: LL002
        return src

# run: EncoderLayer() on (2, 5, 16)
