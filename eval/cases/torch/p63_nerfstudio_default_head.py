# source: nerfstudio-project/nerfstudio#2197 — "Default field_heads with instances will cause shared parameters"
# A default value is evaluated once, when `def` runs: every Field built without heads gets the same head.
import torch.nn as nn


class RGBHead(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.net = nn.Linear(width, 3)

    def forward(self, x):
        return self.net(x)


class Field(nn.Module):
    def __init__(self, width=8, field_heads=(RGBHead(),)):
        super().__init__()
        self.trunk = nn.Linear(width, width)
        self.field_heads = nn.ModuleList(field_heads)

    def forward(self, x):
        h = self.trunk(x)
        return [head(h) for head in self.field_heads]


class NeRF(nn.Module):
    def __init__(self):
        super().__init__()
        self.coarse_field = Field()
        self.fine_field = Field()

    def forward(self, x):
        coarse = self.coarse_field(x)
        fine = self.fine_field(x)  # expect: LL003
        return coarse[0] + fine[0]

# run: NeRF() on (2, 8)
