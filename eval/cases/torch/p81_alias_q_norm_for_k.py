# source: allenai/OLMo#222 — one norm where two roles need their own (here the key norm aliases the query norm unless a flag asks)
import torch.nn as nn


class QKNormAttention(nn.Module):
    def __init__(self, dim=16, separate_k_norm=False):
        super().__init__()
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.q_norm = nn.LayerNorm(dim)
        self.k_norm = self.q_norm
        if separate_k_norm:
            self.k_norm = nn.LayerNorm(dim)

    def forward(self, x):
        q = self.q_norm(self.q(x))
        k = self.k_norm(self.k(x))  # expect: LL002
        return (q @ k.transpose(-1, -2)).softmax(-1) @ x

# run: QKNormAttention() on (2, 5, 16)
