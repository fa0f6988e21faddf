# source: tensorflow/models official/nlp/modeling/layers/reuse_transformer.py — `key_value = None` then `if key_value is not None:`
# expect-none
# The second call cannot run: key_value is None when the `if` tests it. The norm is called once.
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.proj = nn.Linear(width, width)

    def forward(self, x):
        key_value = None
        x = self.norm(x)
        if key_value is not None:
            key_value = self.norm(key_value)
        return self.proj(x)

# run: Block() on (2, 16)
