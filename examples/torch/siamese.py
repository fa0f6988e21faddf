# Intended sharing in PyTorch: one tower embeds both images (reported only with --select LL003).
import torch.nn as nn


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()
        )

    def forward(self, x):
        return self.features(x)


class Siamese(nn.Module):
    def __init__(self):
        super().__init__()
        self.tower = Tower()

    def forward(self, inputs):
        left, right = inputs
        return (self.tower(left) - self.tower(right)).abs()

# run: Siamese() on (2, 1, 16, 16); (2, 1, 16, 16)
