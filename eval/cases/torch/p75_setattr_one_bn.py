# source: kanezaki/pytorch-unsupervised-segmentation#1 — "You seem to be using batch normalization (self.bn0) twice" (spelled with setattr in a loop)
import torch.nn as nn


class MyNet(nn.Module):
    def __init__(self, channels=8, n_conv=3):
        super().__init__()
        self.n_conv = n_conv
        self.conv1 = nn.Conv2d(3, channels, 3, padding=1)
        bn = nn.BatchNorm2d(channels)
        for i in range(n_conv):
            setattr(self, f"conv{i + 2}", nn.Conv2d(channels, channels, 3, padding=1))
            setattr(self, f"bn{i + 2}", bn)

    def forward(self, x):
        x = self.conv1(x).relu()
        for i in range(self.n_conv):
            x = getattr(self, f"bn{i + 2}")(getattr(self, f"conv{i + 2}")(x)).relu()  # expect: LL002
        return x

# run: MyNet() on (2, 3, 8, 8)
