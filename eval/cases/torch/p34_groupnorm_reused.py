# source: keras-team/keras-core#707 — a ResnetBlock with norm1/norm2 (GroupNorm); here norm1 is used for both
import torch.nn as nn
import torch.nn.functional as F


class ResnetBlock(nn.Module):
    def __init__(self, channels=8):
        super().__init__()
        self.norm1 = nn.GroupNorm(4, channels, eps=1e-5)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.norm2 = nn.GroupNorm(4, channels, eps=1e-5)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm1(h)))  # expect: LL002
        return x + h

# run: ResnetBlock() on (2, 8, 6, 6)
