# source: IDEA-Research/DAB-DETR#17 — the fix: copy.deepcopy in the comprehension gives each slot its own layer
# expect-none
import copy

import torch.nn as nn


class BoxHeads(nn.Module):
    def __init__(self, depth=6):
        super().__init__()
        layer = nn.Linear(32, 4)
        self.bbox_embed = nn.ModuleList([copy.deepcopy(layer) for _ in range(depth)])

    def forward(self, hidden):
        return [head(hidden) for head in self.bbox_embed]

# run: BoxHeads() on (2, 32)
