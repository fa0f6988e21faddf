# source: tensorflow/tensorflow#34132 — a get_norm(norm_type) factory returns a new normalization layer per call (PyTorch version)
# expect-none
import torch.nn as nn


def get_norm(norm_type, channels):
    if norm_type == "batch":
        return nn.BatchNorm2d(channels)
    if norm_type == "group":
        return nn.GroupNorm(2, channels)
    raise ValueError(f"Unrecognized norm_type {norm_type}")


class Discriminator(nn.Module):
    def __init__(self, base=8, norm_type="batch"):
        super().__init__()
        self.conv1 = nn.Conv2d(3, base, 3, padding=1)
        self.norm1 = get_norm(norm_type, base)
        self.conv2 = nn.Conv2d(base, base, 3, padding=1)
        self.norm2 = get_norm(norm_type, base)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, x):
        x = self.act(self.norm1(self.conv1(x)))
        return self.act(self.norm2(self.conv2(x)))

# run: Discriminator() on (2, 3, 8, 8)
