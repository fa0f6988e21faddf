# source: kanezaki/pytorch-unsupervised-segmentation#1 — "a bug?": one batch-norm layer used for several convolutions
import torch.nn as nn
import torch.nn.functional as F


class MyNet(nn.Module):
    def __init__(self, input_dim=3, n_channel=8, n_conv=3):
        super().__init__()
        self.conv1 = nn.Conv2d(input_dim, n_channel, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(n_channel)
        self.conv2 = nn.ModuleList([nn.Conv2d(n_channel, n_channel, 3, padding=1) for _ in range(n_conv - 1)])
        self.bn2 = nn.BatchNorm2d(n_channel)
        self.conv3 = nn.Conv2d(n_channel, n_channel, kernel_size=1)
        self.bn3 = nn.BatchNorm2d(n_channel)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        for conv in self.conv2:
            x = F.relu(self.bn2(conv(x)))  # expect: LL002
        return self.bn3(self.conv3(x))

# run: MyNet() on (2, 3, 8, 8)
