# source: facebookresearch/param#41 — "do not share params among MLP hidden layers": one hidden Linear run depth times
import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, width=16, depth=3):
        super().__init__()
        self.depth = depth
        self.inp = nn.Linear(8, width)
        self.hidden = nn.Linear(width, width)
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        x = torch.relu(self.inp(x))
        for _ in range(self.depth):
            x = torch.relu(self.hidden(x))  # expect: LL003
        return self.out(x)

# run: MLP() on (4, 8)
