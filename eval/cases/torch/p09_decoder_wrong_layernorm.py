# source: ml-explore/mlx#1636 — "Wrong layer norm used in TransformerDecoderLayer": ln1 where ln2 was meant (PyTorch port)
import torch.nn as nn


class TransformerDecoderLayer(nn.Module):
    def __init__(self, dims=16, heads=2):
        super().__init__()
        self.self_attention = nn.MultiheadAttention(dims, heads, batch_first=True)
        self.cross_attention = nn.MultiheadAttention(dims, heads, batch_first=True)
        self.ln1 = nn.LayerNorm(dims)
        self.ln2 = nn.LayerNorm(dims)
        self.ln3 = nn.LayerNorm(dims)
        self.linear1 = nn.Linear(dims, 32)
        self.linear2 = nn.Linear(32, dims)

    def forward(self, inputs):
        x, memory = inputs
        y, _ = self.self_attention(x, x, x)
        x = self.ln1(x + y)
        y, _ = self.cross_attention(x, memory, memory)
        x = self.ln1(x + y)  # expect: LL002
        y = self.linear2(self.linear1(x).relu())
        return self.ln3(x + y)

# run: TransformerDecoderLayer() on (2, 4, 16); (2, 6, 16)
