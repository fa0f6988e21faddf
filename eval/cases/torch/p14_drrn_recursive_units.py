# source: jt827859032/DRRN-pytorch#1 — "how does your implementation share the weight?": the recursive units reuse conv1/conv2 by design
# expect-none
import torch
import torch.nn as nn


class DRRN(nn.Module):
    def __init__(self, width=8, recursions=3):
        super().__init__()
        self.recursions = recursions
        self.input = nn.Conv2d(1, width, 3, padding=1, bias=False)
        self.conv1 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.output = nn.Conv2d(width, 1, 3, padding=1, bias=False)
        self.relu = nn.ReLU(inplace=False)

    def forward(self, x):
        residual = x
        inputs = self.input(self.relu(x))
        out = inputs
        for _ in range(self.recursions):
            out = self.conv2(self.relu(self.conv1(self.relu(out))))
            out = torch.add(out, inputs)
        out = self.output(self.relu(out))
        return torch.add(out, residual)

# run: DRRN() on (2, 1, 8, 8)
