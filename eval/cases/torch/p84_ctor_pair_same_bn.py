# source: kanezaki/pytorch-unsupervised-segmentation#1 — one batch norm serving two convolutions (passed twice to a block's constructor)
import torch.nn as nn


class ConvPair(nn.Module):
    def __init__(self, bn_a, bn_b, width):
        super().__init__()
        self.conv_a = nn.Conv2d(width, width, 3, padding=1)
        self.bn_a = bn_a
        self.conv_b = nn.Conv2d(width, width, 3, padding=1)
        self.bn_b = bn_b

    def forward(self, x):
        x = self.bn_a(self.conv_a(x)).relu()
        return self.bn_b(self.conv_b(x)).relu()


class Net(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 1)
        bn = nn.BatchNorm2d(width)
        self.block = ConvPair(bn, bn, width)  # expect: LL002

    def forward(self, x):
        return self.block(self.stem(x))

# run: Net() on (2, 3, 8, 8)
