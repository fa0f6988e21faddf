# source: huggingface/transformers models/detr/modeling_detr.py (auxiliary_loss) — one decoder norm for every layer's output and the last
# Designed sharing: the same final LayerNorm normalizes each intermediate decoder output (for the
# auxiliary losses) and the final one. Every call plays one role: LL003 info with the reason.
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, width=16, depth=3):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.layernorm = nn.LayerNorm(width)

    def forward(self, hidden_states):
        intermediate = []
        for decoder_layer in self.layers:
            hidden_states = decoder_layer(hidden_states)
            intermediate.append(self.layernorm(hidden_states))  # expect: LL003
        hidden_states = self.layernorm(hidden_states)
        return hidden_states, intermediate

# run: Decoder() on (2, 5, 16)
