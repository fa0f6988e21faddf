# source: huggingface/transformers models/deimv2 (config.share_bbox_head) — a flag chooses one head for every level or separate copies
# Intent in the code: the flag's other arm builds deep copies, so the shared list is a choice: LL003 info.
import copy

import torch.nn as nn


class Heads(nn.Module):
    def __init__(self, width=8, levels=3, share_bbox_head=True):
        super().__init__()
        head = nn.Linear(width, 4)
        if share_bbox_head:
            self.heads = nn.ModuleList([head] * levels)  # expect: LL003
        else:
            self.heads = nn.ModuleList([copy.deepcopy(head) for _ in range(levels)])

    def forward(self, x):
        return [head(x) for head in self.heads]

# run: Heads() on (2, 8)
