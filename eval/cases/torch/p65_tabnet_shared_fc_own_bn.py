# source: dreamquark-ai/tabnet#76 — the fix: the fully connected layers stay shared across steps, each step has its own batch norm
# Designed weight sharing (LL003 at most): no running statistics are shared.
# expect-none
import torch.nn as nn
import torch.nn.functional as F


class GLULayer(nn.Module):
    def __init__(self, dim, fc):
        super().__init__()
        self.fc = fc
        self.bn = nn.BatchNorm1d(2 * dim)

    def forward(self, x):
        return F.glu(self.bn(self.fc(x)))


class TabNetEncoder(nn.Module):
    def __init__(self, dim=8, n_steps=3):
        super().__init__()
        shared_fc = nn.Linear(dim, 2 * dim, bias=False)
        self.steps = nn.ModuleList([GLULayer(dim, shared_fc) for _ in range(n_steps)])

    def forward(self, x):
        out = 0
        for step in self.steps:
            out = out + step(x)
        return out

# run: TabNetEncoder() on (4, 8)
