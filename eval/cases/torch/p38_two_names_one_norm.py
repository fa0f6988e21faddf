# source: mlverse/torch#305 — one module assigned to two attributes (`self$x <- x; self$y <- x`) is one set of parameters
# The two attribute names look like two LayerNorms; they are one object, so both sub-layers share it.
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d_model=16):
        super().__init__()
        norm = nn.LayerNorm(d_model)
        self.attn_norm = norm
        self.ff_norm = norm
        self.attn = nn.Linear(d_model, d_model)
        self.ff = nn.Linear(d_model, d_model)

    def forward(self, x):
        x = x + self.attn(self.attn_norm(x))
        return x + self.ff(self.ff_norm(x))  # expect: LL002

# run: Block() on (2, 3, 16)
