# source: mlverse/torch#305 — "Duplicated weights when they are shared": one module registered under two names (here two keys of a ModuleDict)
import torch.nn as nn


class MultiTask(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.trunk = nn.Linear(6, width)
        head = nn.Sequential(nn.Linear(width, width), nn.BatchNorm1d(width), nn.Linear(width, 2))
        self.heads = nn.ModuleDict({"age": head, "gender": head})  # expect: LL004

    def forward(self, x):
        h = self.trunk(x).relu()
        return {name: head(h) for name, head in self.heads.items()}

# run: MultiTask() on (4, 6)
