# source: huggingface/transformers models/blip/modeling_blip.py (BlipVisionModel) — the final norm on the sequence, then on its first token
# Designed sharing: the pooled output is the first token of the normalized sequence, normalized again
# by the same LayerNorm (re-applied to its own output).
import torch.nn as nn


class Vision(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.encoder = nn.Linear(width, width)
        self.post_layernorm = nn.LayerNorm(width)

    def forward(self, x):
        last_hidden_state = self.post_layernorm(self.encoder(x))
        pooled_output = last_hidden_state[:, 0, :]
        pooled_output = self.post_layernorm(pooled_output)  # expect: LL003
        return last_hidden_state, pooled_output

# run: Vision() on (2, 5, 16)
