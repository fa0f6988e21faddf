"""Helper module of the p89 case: the encoder block, defined apart from the model that uses it."""
import torch.nn as nn


class ConvBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.conv = nn.Conv2d(width, width, 3, padding=1)
        self.bn = nn.BatchNorm2d(width)

    def forward(self, x):
        return self.bn(self.conv(x)).relu()
