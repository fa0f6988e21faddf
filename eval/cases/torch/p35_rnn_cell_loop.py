# source: jt827859032/DRRN-pytorch#1 — recursive application of the same weights over steps (here an LSTM cell over time)
# expect-none
import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, features=6, hidden=8):
        super().__init__()
        self.hidden = hidden
        self.cell = nn.LSTMCell(features, hidden)
        self.out = nn.Linear(hidden, 3)

    def forward(self, x):
        h = x.new_zeros(x.shape[0], self.hidden)
        c = x.new_zeros(x.shape[0], self.hidden)
        outputs = []
        for t in range(x.shape[1]):
            h, c = self.cell(x[:, t], (h, c))
            outputs.append(self.out(h))
        return torch.stack(outputs, 1)

# run: Tagger() on (2, 4, 6)
