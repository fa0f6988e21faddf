# source: jt827859032/DRRN-pytorch#1 — one nn.ReLU instance used before every convolution of the network
# expect-none
import torch.nn as nn


class Plain(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 8, 3, padding=1)
        self.conv_b = nn.Conv2d(8, 16, 3, padding=1)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout2d(0.1)

    def forward(self, x):
        x = self.drop(self.pool(self.relu(self.conv_a(x))))
        return self.drop(self.pool(self.relu(self.conv_b(x))))

# run: Plain() on (2, 3, 8, 8)
