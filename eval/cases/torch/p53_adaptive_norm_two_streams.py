# source: huggingface/diffusers models/normalization.py (CogVideoXLayerNormZero) — one norm, each stream modulated by its own chunk
# Designed sharing: the video and the text stream share one LayerNorm, each scaled and shifted by its
# own part of one conditioning projection (adaptive normalization of a joint stream).
import torch.nn as nn


class JointNorm(nn.Module):
    def __init__(self, width=16, cond=8):
        super().__init__()
        self.linear = nn.Linear(cond, 4 * width)
        self.norm = nn.LayerNorm(width)

    def forward(self, inputs):
        hidden, context, temb = inputs
        shift, scale, enc_shift, enc_scale = self.linear(temb).chunk(4, dim=1)
        hidden = self.norm(hidden) * (1 + scale)[:, None, :] + shift[:, None, :]
        context = self.norm(context) * (1 + enc_scale)[:, None, :] + enc_shift[:, None, :]  # expect: LL003
        return hidden, context

# run: JointNorm() on (2, 5, 16); (2, 3, 16); (2, 8)
