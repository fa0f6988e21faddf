# source: IDEA-Research/DAB-DETR#17 — "Deep copy MLP": nn.ModuleList([layer for _ in range(N)]) repeats one object
import torch.nn as nn


class BoxHeads(nn.Module):
    def __init__(self, depth=6):
        super().__init__()
        layer = nn.Linear(32, 4)
        self.bbox_embed = nn.ModuleList([layer for _ in range(depth)])  # expect: LL004

    def forward(self, hidden):
        return [head(hidden) for head in self.bbox_embed]

# run: BoxHeads() on (2, 32)
