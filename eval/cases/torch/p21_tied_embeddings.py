# source: ssnl/PyTorch-Reparam-Module#4 — "Support shared parameters": layers that share a weight tensor on purpose
# expect-none
# Tied input/output embeddings: the decoder reuses the embedding matrix.
import torch
import torch.nn as nn


class TiedLM(nn.Module):
    def __init__(self, vocab=20, dim=8):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.hidden = nn.Linear(dim, dim)
        self.decoder = nn.Linear(dim, vocab, bias=False)
        self.decoder.weight = self.embed.weight

    def forward(self, tokens):
        h = torch.tanh(self.hidden(self.embed(tokens.long())))
        return self.decoder(h)

# run: TiedLM() on (2, 5)
