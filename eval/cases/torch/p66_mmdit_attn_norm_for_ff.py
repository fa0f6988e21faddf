# source: lucidrains/mmdit#4 — "Using wrong layer norm": the attention norm is applied where the feed-forward norm belongs
import torch.nn as nn


class JointBlock(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.text_attn_norm = nn.LayerNorm(dim)
        self.image_attn_norm = nn.LayerNorm(dim)
        self.text_ff_norm = nn.LayerNorm(dim)
        self.image_ff_norm = nn.LayerNorm(dim)
        self.text_attn = nn.Linear(dim, dim)
        self.image_attn = nn.Linear(dim, dim)
        self.text_ff = nn.Linear(dim, dim)
        self.image_ff = nn.Linear(dim, dim)

    def forward(self, inputs):
        text, image = inputs
        text = text + self.text_attn(self.text_attn_norm(text))
        image = image + self.image_attn(self.image_attn_norm(image))
        text = text + self.text_ff(self.text_attn_norm(text))  # expect: LL002
        image = image + self.image_ff(self.image_ff_norm(image))
        return text, image

# run: JointBlock() on (2, 3, 16); (2, 5, 16)
