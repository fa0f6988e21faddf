# source: https://discuss.pytorch.org/t/nn-batchnorm2d-with-shared-weights/158625 — one BatchNorm2d applied to each slice of a feature map
import torch
import torch.nn as nn


class SlicedNorm(nn.Module):
    def __init__(self, n=5):
        super().__init__()
        self.n = n
        self.cnn1 = nn.Conv2d(1, 4, 3, padding=1)
        self.batchnorm1 = nn.BatchNorm2d(4)

    def forward(self, x):
        out = self.cnn1(x)
        step = out.shape[2] // self.n
        parts = []
        for i in range(self.n):
            parts.append(self.batchnorm1(out[:, :, i * step:(i + 1) * step, :]))  # expect: LL002
        return torch.cat(parts, dim=2)

# run: SlicedNorm() on (2, 1, 10, 4)
