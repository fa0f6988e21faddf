# source: habla-liaa/encodecmae#3 — "ff_layer weights sharing": one feed-forward built before the loop is handed to every layer
import torch.nn as nn


class TransformerLayer(nn.Module):
    def __init__(self, dim, ff_layer):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.mix = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = ff_layer

    def forward(self, x):
        x = x + self.mix(self.norm1(x))
        return x + self.ff(self.norm2(x))


class TransformerEncoder(nn.Module):
    def __init__(self, dim=16, ff_dim=32, num_layers=3):
        super().__init__()
        ff_layer = nn.Sequential(nn.Linear(dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, dim))
        self.layers = nn.ModuleList([TransformerLayer(dim, ff_layer) for _ in range(num_layers)])  # expect: LL003

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

# run: TransformerEncoder() on (2, 5, 16)
