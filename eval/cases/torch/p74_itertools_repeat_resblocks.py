# source: deep-learning-with-pytorch/dlwpt-code#54 — "Possible error in NetResDeep": every entry references the same ResBlock (spelled with itertools.repeat)
import itertools

import torch
import torch.nn as nn


class ResBlock(nn.Module):
    def __init__(self, n_chans):
        super().__init__()
        self.conv = nn.Conv2d(n_chans, n_chans, 3, padding=1, bias=False)
        self.batch_norm = nn.BatchNorm2d(n_chans)

    def forward(self, x):
        return x + torch.relu(self.batch_norm(self.conv(x)))


class NetResDeep(nn.Module):
    def __init__(self, n_chans=8, n_blocks=3):
        super().__init__()
        self.conv1 = nn.Conv2d(3, n_chans, 3, padding=1)
        self.resblocks = nn.Sequential(*itertools.repeat(ResBlock(n_chans), n_blocks))  # expect: LL004

    def forward(self, x):
        return self.resblocks(torch.relu(self.conv1(x)))

# run: NetResDeep() on (2, 3, 8, 8)
