# source: huggingface/transformers models/oneformer/modeling_oneformer.py (use_task_norm) — the decoder norm applied to the task token too, when a setting asks
# Designed sharing: the extra call runs only under its own flag. LL003 info with the flag named.
import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, width=16, use_task_norm=True):
        super().__init__()
        self.use_task_norm = use_task_norm
        self.layer = nn.Linear(width, width)
        self.decoder_norm = nn.LayerNorm(width)

    def forward(self, inputs):
        queries, task_token = inputs
        if self.use_task_norm:
            task_token = self.decoder_norm(task_token)
        output = self.layer(torch.cat([queries, task_token], dim=1))
        return self.decoder_norm(output)  # expect: LL003

# run: Decoder() on (2, 3, 16); (2, 1, 16)
