# source: huggingface/transformers pytorch_utils.py (apply_chunking_to_forward) — a loop over chunks that equals one batched call
# Designed: LayerNorm normalizes each row on its own, so the chunks give what one batched call gives.
# expect-none
import torch
import torch.nn as nn


class ChunkedEncoder(nn.Module):
    def __init__(self, width=8, chunk=2):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(6, width), nn.LayerNorm(width), nn.ReLU())
        self.chunk = chunk

    def forward(self, x):
        return torch.cat([self.encoder(part) for part in x.split(self.chunk)], dim=0)

# run: ChunkedEncoder() on (6, 6)
