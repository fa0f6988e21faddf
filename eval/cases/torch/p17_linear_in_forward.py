# source: https://thecodeforge.io/ml-ai/pytorch-neural-network/ — "The forward() Layer Bug": layers defined in forward() get new weights every pass
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 16)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        out = nn.Linear(16, 10)(x)  # expect: LL005
        return out

# run: Classifier() on (2, 20)
