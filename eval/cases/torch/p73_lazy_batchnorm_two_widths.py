# source: https://pytorch.org/docs/stable/generated/torch.nn.LazyBatchNorm1d.html — num_features is inferred from the first input
# The same LazyBatchNorm1d follows a 16-wide and then a 32-wide Linear: sized 16 by the first call.
import torch.nn as nn


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 32)
        self.norm = nn.LazyBatchNorm1d()

    def forward(self, x):
        x = self.norm(self.fc1(x)).relu()
        return self.norm(self.fc2(x))  # expect: LL001

# run: Tower() on (4, 8)
