# source: kanezaki/pytorch-unsupervised-segmentation#1 — one batch norm after two convolutions (the norm made by a factory in another module)
import torch.nn as nn

from ._norms import make_norm


class Features(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.norm = make_norm(width)

    def forward(self, x):
        x = self.norm(self.conv1(x)).relu()
        return self.norm(self.conv2(x)).relu()  # expect: LL002

# run: Features() on (2, 3, 8, 8)
