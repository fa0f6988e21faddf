# source: keras-team/keras-io#647 — creating a layer on the first call; in PyTorch, assigning it to self registers it
# expect-none
import torch.nn as nn


class LazyHead(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.classes = classes
        self.body = nn.Linear(8, 16)
        self.head = None

    def forward(self, x):
        x = self.body(x).relu()
        if self.head is None:
            self.head = nn.Linear(x.shape[-1], self.classes)
        return self.head(x)

# run: LazyHead() on (2, 8)
