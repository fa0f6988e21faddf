# source: zalandoresearch/pytorch-vq-vae#2 — "Intentional weight sharing in ResidualStack?" nn.ModuleList([Residual(...)] * n)
import torch.nn as nn
import torch.nn.functional as F


class Residual(nn.Module):
    def __init__(self, in_channels, num_hiddens, num_residual_hiddens):
        super().__init__()
        self.block = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(in_channels, num_residual_hiddens, 3, padding=1, bias=False),
            nn.ReLU(),
            nn.Conv2d(num_residual_hiddens, num_hiddens, 1, bias=False),
        )

    def forward(self, x):
        return x + self.block(x)


class ResidualStack(nn.Module):
    def __init__(self, in_channels=8, num_hiddens=8, num_residual_hiddens=4, num_residual_layers=2):
        super().__init__()
        self.num_residual_layers = num_residual_layers
        self.layers = nn.ModuleList(
            [Residual(in_channels, num_hiddens, num_residual_hiddens)] * self.num_residual_layers)  # expect: LL004

    def forward(self, x):
        for i in range(self.num_residual_layers):
            x = self.layers[i](x)
        return F.relu(x)

# run: ResidualStack() on (2, 8, 6, 6)
