# source: keras-team/keras#11927 — Siamese/triplet networks pass every input through one encoder that contains BatchNorm
# expect-none
import torch
import torch.nn as nn


class Siamese(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, inputs):
        anchor, positive = inputs
        a = self.encoder(anchor)
        p = self.encoder(positive)
        return torch.norm(a - p, dim=1)

# run: Siamese() on (2, 3, 8, 8); (2, 3, 8, 8)
