# source: pytorch/pytorch#55270 — the transformer layer's norm_first switch chooses one of two code paths
# expect-none
import torch.nn as nn


class FeedForward(nn.Module):
    def __init__(self, d_model=16, norm_first=False):
        super().__init__()
        self.norm_first = norm_first
        self.norm2 = nn.LayerNorm(d_model)
        self.linear1 = nn.Linear(d_model, 32)
        self.linear2 = nn.Linear(32, d_model)

    def _ff_block(self, x):
        return self.linear2(self.linear1(x).relu())

    def forward(self, x):
        if self.norm_first:
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm2(x + self._ff_block(x))
        return x

# run: FeedForward() on (2, 3, 16)
# run: FeedForward(norm_first=True) on (2, 3, 16)
