# source: deep-learning-with-pytorch/dlwpt-code#89 — `n_blocks * [Block(...)]` repeats one object (the block class chosen through a local alias)
import torch.nn as nn


class SeparableConv(nn.Module):
    def __init__(self, c_in, c_out, k, padding=0):
        super().__init__()
        self.depth = nn.Conv2d(c_in, c_in, k, padding=padding, groups=c_in)
        self.point = nn.Conv2d(c_in, c_out, 1)

    def forward(self, x):
        return self.point(self.depth(x))


class Body(nn.Module):
    def __init__(self, width=8, depth=3, separable=False):
        super().__init__()
        conv_cls = SeparableConv if separable else nn.Conv2d
        self.stem = nn.Conv2d(3, width, 1)
        self.body = nn.Sequential(*[conv_cls(width, width, 3, padding=1)] * depth)  # expect: LL004

    def forward(self, x):
        return self.body(self.stem(x))

# run: Body() on (2, 3, 8, 8)
# run: Body(separable=True) on (2, 3, 8, 8)
