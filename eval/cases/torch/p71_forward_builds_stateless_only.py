# source: https://thecodeforge.io/ml-ai/pytorch-neural-network/ — layers built in forward(): only those with weights lose training
# Dropout and ReLU built inside forward() hold no parameters or statistics: a fresh one each pass changes nothing.
# expect-none
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self, width=8, classes=3):
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, classes)

    def forward(self, x):
        x = nn.ReLU()(self.fc1(x))
        x = nn.Dropout(0.5)(x)
        return self.fc2(x)

# run: Classifier() on (2, 8)
