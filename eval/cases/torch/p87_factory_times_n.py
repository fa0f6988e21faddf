# source: deep-learning-with-pytorch/dlwpt-code#54 — `n * [block]` repeats one object, here a block returned by a builder function
import torch.nn as nn


def conv_bn_relu(width):
    return nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU())


class Net(nn.Module):
    def __init__(self, width=8, n_blocks=3):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, padding=1)
        self.blocks = nn.Sequential(*[conv_bn_relu(width)] * n_blocks)  # expect: LL004

    def forward(self, x):
        return self.blocks(self.stem(x))

# run: Net() on (2, 3, 8, 8)
