# source: tensorflow/tensorflow#30091 — one projection called again on its own output (PyTorch version: 8 -> 16, then 16 fed to in_features=8)
import torch.nn as nn


class Refeed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 16)

    def forward(self, x):
        h = self.proj(x).relu()
        return self.proj(h)  # expect: LL001

# run: Refeed() on (2, 8)
