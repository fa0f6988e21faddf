# source: carlthome/tensorflow-convlstm-cell#5 — "BatchNorm parameters should be shared, only the running averages should be separate"
# One BatchNorm1d normalizes the hidden state at every time step: the running averages of all steps are mixed.
import torch
import torch.nn as nn


class NormalizedRNN(nn.Module):
    def __init__(self, features=6, hidden=8):
        super().__init__()
        self.hidden = hidden
        self.input_proj = nn.Linear(features, hidden)
        self.recurrent = nn.Linear(hidden, hidden)
        self.bn = nn.BatchNorm1d(hidden)

    def forward(self, x):
        h = x.new_zeros(x.shape[0], self.hidden)
        for t in range(x.shape[1]):
            h = torch.tanh(self.bn(self.input_proj(x[:, t]) + self.recurrent(h)))  # expect: LL002
        return h

# run: NormalizedRNN() on (2, 4, 6)
