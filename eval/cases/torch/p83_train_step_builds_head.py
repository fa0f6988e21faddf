# source: https://thecodeforge.io/ml-ai/pytorch-neural-network/ — a layer defined in the training step gets new, untrained weights every batch
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 16), nn.ReLU())

    def forward(self, x):
        return self.body(x)


def train_step(model, x):
    head = nn.Linear(16, 2)  # expect: LL005
    return head(model(x))


class Trainer:
    def __init__(self):
        self.model = Backbone()

    def __call__(self, x):
        return train_step(self.model, x)

# run: Trainer() on (4, 8)
