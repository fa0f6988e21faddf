# source: https://discuss.pytorch.org/t/pytorch-documentation-for-batchnorm/50804 — a BatchNorm2d constructed inside forward()
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 2, 3, padding=1)

    def forward(self, x):
        x = self.conv(x)
        norm = nn.BatchNorm2d(2, track_running_stats=False)  # expect: LL005
        return norm(x)

# run: Net() on (2, 3, 6, 6)
