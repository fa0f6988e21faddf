# source: acids-ircam/ddsp_pytorch#37 — "Do MLPs share weight by accident?": nn.ModuleList([mlp(1, hidden, 3)] * 2)
# The MLP is built by a helper function, then the list is repeated: pitch and loudness share one MLP.
import torch
import torch.nn as nn


def mlp(in_size, hidden_size, n_layers):
    channels = [in_size] + n_layers * [hidden_size]
    net = []
    for i in range(n_layers):
        net.append(nn.Linear(channels[i], channels[i + 1]))
        net.append(nn.LayerNorm(channels[i + 1]))
        net.append(nn.LeakyReLU())
    return nn.Sequential(*net)


class DDSPEncoder(nn.Module):
    def __init__(self, hidden_size=16):
        super().__init__()
        self.in_mlps = nn.ModuleList([mlp(1, hidden_size, 3)] * 2)  # expect: LL004
        self.out = nn.Linear(2 * hidden_size, 4)

    def forward(self, inputs):
        pitch, loudness = inputs
        hidden = torch.cat([self.in_mlps[0](pitch), self.in_mlps[1](loudness)], -1)
        return self.out(hidden)

# run: DDSPEncoder() on (2, 1); (2, 1)
