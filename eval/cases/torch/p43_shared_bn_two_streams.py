# source: keras-team/keras#8794 — one BatchNorm shared by two streams gets the statistics of both (PyTorch version)
import torch
import torch.nn as nn


class TwoStream(nn.Module):
    def __init__(self):
        super().__init__()
        self.rgb = nn.Conv2d(3, 8, 3, padding=1)
        self.depth = nn.Conv2d(1, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, inputs):
        rgb, depth = inputs
        a = self.bn(self.rgb(rgb))
        b = self.bn(self.depth(depth))  # expect: LL002
        return torch.cat([a, b], dim=1)

# run: TwoStream() on (2, 3, 8, 8); (2, 1, 8, 8)
