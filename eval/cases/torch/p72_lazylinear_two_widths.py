# source: https://pytorch.org/docs/stable/generated/torch.nn.LazyLinear.html — in_features is inferred from the first input, then fixed
# One LazyLinear projects the text features (12) and then the image features (20): the first call sized it for 12.
import torch.nn as nn


class TwoTowerProjection(nn.Module):
    def __init__(self, out=8):
        super().__init__()
        self.proj = nn.LazyLinear(out)

    def forward(self, inputs):
        text, image = inputs
        t = self.proj(text)
        i = self.proj(image)  # expect: LL001
        return t + i

# run: TwoTowerProjection() on (2, 12); (2, 20)
