# source: ginobilinie/medSynthesisV1#18 — "conv2 output should go through bn2 rather than bn1" (bn2 defined but never used)
# Here the widths differ (32 vs 64), so the slip crashes at the first forward pass.
import torch.nn as nn
import torch.nn.functional as F


class ConvBlock(nn.Module):
    def __init__(self, in_ch=1, mid_ch=32, out_ch=64):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, mid_ch, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(mid_ch)
        self.conv2 = nn.Conv2d(mid_ch, out_ch, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(out_ch)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn1(self.conv2(x)))  # expect: LL001
        return x

# run: ConvBlock() on (2, 1, 8, 8)
