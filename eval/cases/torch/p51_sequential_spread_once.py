# source: layerlint issue 15, point 5 — `nn.Sequential(*layers)` of a list already reported: one bug, one finding
# The list repeats one Linear; spreading it into a Sequential is the same bug, shown as a related place.
import torch.nn as nn


class Stack(nn.Module):
    def __init__(self, width=8, depth=3):
        super().__init__()
        blocks = [nn.Linear(width, width)] * depth  # expect: LL004
        self.net = nn.Sequential(*blocks)

    def forward(self, x):
        return self.net(x)

# run: Stack() on (2, 8)
