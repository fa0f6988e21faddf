# source: MishaLaskin/vqvae#21 — "Shallow copy in residual stack": nn.ModuleList([ResidualLayer(...)] * n_res_layers)
import torch.nn as nn


class ResidualLayer(nn.Module):
    def __init__(self, in_dim, h_dim, res_h_dim):
        super().__init__()
        self.res_block = nn.Sequential(
            nn.ReLU(True),
            nn.Conv2d(in_dim, res_h_dim, kernel_size=3, padding=1, bias=False),
            nn.ReLU(True),
            nn.Conv2d(res_h_dim, h_dim, kernel_size=1, bias=False),
        )

    def forward(self, x):
        return x + self.res_block(x)


class ResidualStack(nn.Module):
    def __init__(self, in_dim=8, h_dim=8, res_h_dim=4, n_res_layers=3):
        super().__init__()
        self.n_res_layers = n_res_layers
        self.stack = nn.ModuleList([ResidualLayer(in_dim, h_dim, res_h_dim)] * n_res_layers)  # expect: LL004

    def forward(self, x):
        for layer in self.stack:
            x = layer(x)
        return nn.functional.relu(x)

# run: ResidualStack() on (2, 8, 5, 5)
