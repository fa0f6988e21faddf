# source: kanezaki/pytorch-unsupervised-segmentation#1 — one batch norm for every conv layer (spelled with ModuleList.append and a hoisted instance)
import torch.nn as nn


class MyNet(nn.Module):
    def __init__(self, channels=8, n_conv=3):
        super().__init__()
        self.conv1 = nn.Conv2d(3, channels, 3, padding=1)
        self.conv2 = nn.ModuleList()
        self.bn2 = nn.ModuleList()
        bn = nn.BatchNorm2d(channels)
        for _ in range(n_conv - 1):
            self.conv2.append(nn.Conv2d(channels, channels, 3, padding=1))
            self.bn2.append(bn)

    def forward(self, x):
        x = self.conv1(x).relu()
        for conv, bn in zip(self.conv2, self.bn2):
            x = bn(conv(x)).relu()  # expect: LL002
        return x

# run: MyNet() on (2, 3, 8, 8)
