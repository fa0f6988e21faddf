# source: deep-learning-with-pytorch/dlwpt-code#89 — nn.Sequential(*(n_blocks * [ResBlock(n_chans=n_chans1)]))
# source: deep-learning-with-pytorch/dlwpt-code-2e#6 — the same fix proposed for the second edition
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResBlock(nn.Module):
    def __init__(self, n_chans):
        super().__init__()
        self.conv = nn.Conv2d(n_chans, n_chans, kernel_size=3, padding=1, bias=False)
        self.batch_norm = nn.BatchNorm2d(num_features=n_chans)

    def forward(self, x):
        out = torch.relu(self.batch_norm(self.conv(x)))
        return out + x


class NetResDeep(nn.Module):
    def __init__(self, n_chans1=8, n_blocks=4):
        super().__init__()
        self.conv1 = nn.Conv2d(3, n_chans1, kernel_size=3, padding=1)
        self.resblocks = nn.Sequential(*(n_blocks * [ResBlock(n_chans=n_chans1)]))  # expect: LL004
        self.fc1 = nn.Linear(n_chans1 * 4 * 4, 2)

    def forward(self, x):
        out = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        out = self.resblocks(out)
        out = F.max_pool2d(out, 2)
        return self.fc1(out.flatten(1))

# run: NetResDeep() on (2, 3, 16, 16)
