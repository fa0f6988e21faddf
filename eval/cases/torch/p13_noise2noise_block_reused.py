# source: joeylitalien/noise2noise-pytorch#7 — pool2..pool5 all computed by self._block2: one set of encoder weights
# A Sequential without normalization reused at every level: shared weights only (LL003, info).
import torch.nn as nn


class UNetEncoder(nn.Module):
    def __init__(self, in_channels=3):
        super().__init__()
        self._block1 = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2))
        self._block2 = nn.Sequential(
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2))

    def forward(self, x):
        pool1 = self._block1(x)
        pool2 = self._block2(pool1)
        pool3 = self._block2(pool2)  # expect: LL003
        pool4 = self._block2(pool3)
        return pool4

# run: UNetEncoder() on (2, 3, 32, 32)
