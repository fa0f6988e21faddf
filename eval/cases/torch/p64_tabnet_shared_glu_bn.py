# source: dreamquark-ai/tabnet#76 — "Bugfix/shared layers": sharing the GLU layers across steps shared their batch norms too
import torch.nn as nn
import torch.nn.functional as F


class GLULayer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, 2 * dim, bias=False)
        self.bn = nn.BatchNorm1d(2 * dim)

    def forward(self, x):
        return F.glu(self.bn(self.fc(x)))


class FeatTransformer(nn.Module):
    def __init__(self, shared, dim):
        super().__init__()
        self.shared = shared
        self.specific = GLULayer(dim)

    def forward(self, x):
        return self.specific(self.shared(x))


class TabNetEncoder(nn.Module):
    def __init__(self, dim=8, n_steps=3):
        super().__init__()
        shared = GLULayer(dim)
        self.steps = nn.ModuleList([FeatTransformer(shared, dim) for _ in range(n_steps)])  # expect: LL002

    def forward(self, x):
        out = 0
        for step in self.steps:
            out = out + step(x)
        return out

# run: TabNetEncoder() on (4, 8)
