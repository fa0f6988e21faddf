# source: ginobilinie/medSynthesisV1#18 — the corrected block: a helper applies conv/bn pairs, each bn once
# expect-none
import torch.nn as nn
import torch.nn.functional as F


class ConvBlock(nn.Module):
    def __init__(self, in_ch=1, mid_ch=8, out_ch=16):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, mid_ch, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(mid_ch)
        self.conv2 = nn.Conv2d(mid_ch, out_ch, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(out_ch)

    def unit(self, x, conv, bn):
        return F.relu(bn(conv(x)))

    def forward(self, x):
        x = self.unit(x, self.conv1, self.bn1)
        return self.unit(x, self.conv2, self.bn2)

# run: ConvBlock() on (2, 1, 8, 8)
