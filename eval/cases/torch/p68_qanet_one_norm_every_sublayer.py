# source: henry9zhr/QANet-pytorch#7 — "the layer norm": one LayerNorm for the conv, self-attention and feed-forward sublayers
import torch.nn as nn


class EncoderBlock(nn.Module):
    def __init__(self, dim=16, n_conv=2):
        super().__init__()
        self.convs = nn.ModuleList([nn.Linear(dim, dim) for _ in range(n_conv)])
        self.self_att = nn.Linear(dim, dim)
        self.fc = nn.Linear(dim, dim)
        self.normb = nn.LayerNorm(dim)

    def forward(self, x):
        for conv in self.convs:
            x = x + conv(self.normb(x))  # expect: LL002
        x = x + self.self_att(self.normb(x))
        return x + self.fc(self.normb(x))

# run: EncoderBlock() on (2, 5, 16)
