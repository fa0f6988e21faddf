# source: kanezaki/pytorch-unsupervised-segmentation#1 — one batch norm after two convolutions (the norm made by a functools.partial)
from functools import partial

import torch.nn as nn


class Features(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        make_bn = partial(nn.BatchNorm2d, momentum=0.01)
        self.conv1 = nn.Conv2d(3, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.bn = make_bn(width)

    def forward(self, x):
        x = self.bn(self.conv1(x)).relu()
        return self.bn(self.conv2(x)).relu()  # expect: LL002

# run: Features() on (2, 3, 8, 8)
