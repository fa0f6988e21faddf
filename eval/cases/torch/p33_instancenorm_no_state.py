# source: lucidrains/segformer-pytorch#7 — InstanceNorm2d standing in for a norm layer (default: no affine, no running stats)
# expect-none
import torch.nn as nn


class Mixer(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 8, 3, padding=1)
        self.conv_b = nn.Conv2d(8, 16, 3, padding=1)
        self.norm = nn.InstanceNorm2d(8)

    def forward(self, x):
        x = self.norm(self.conv_a(x))
        return self.norm(self.conv_b(x))

# run: Mixer() on (2, 3, 8, 8)
