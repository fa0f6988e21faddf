# source: https://thecodeforge.io/ml-ai/pytorch-neural-network/ — the forward() layer bug, hidden in a helper method forward() calls
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 8)

    def classify(self, h):
        head = nn.Linear(8, 3)  # expect: LL005
        return head(h)

    def forward(self, x):
        return self.classify(self.fc1(x).relu())

# run: Net() on (2, 12)
