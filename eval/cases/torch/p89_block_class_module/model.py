# source: joeylitalien/noise2noise-pytorch#7 — "pool2-pool5 re-use the same conv weight": one block object for every encoder stage (the block class imported from another module)
import torch.nn as nn

from ._blocks import ConvBlock


class Encoder(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, padding=1)
        self.block2 = ConvBlock(width)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        pool1 = self.pool(self.stem(x))
        pool2 = self.pool(self.block2(pool1))
        return self.pool(self.block2(pool2))  # expect: LL002

# run: Encoder() on (2, 3, 16, 16)
