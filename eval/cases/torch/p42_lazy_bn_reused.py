# source: tensorflow/tensorflow#29492 — one normalization layer reused after a 6- and a 16-channel conv (PyTorch lazy module) (pattern as summarized in issue 9; thread not retrieved)
import torch.nn as nn


class FeatureExtractor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_1 = nn.Conv2d(1, 6, 3)
        self.conv_2 = nn.Conv2d(6, 16, 3)
        self.norm = nn.LazyBatchNorm2d()

    def forward(self, x):
        x = self.norm(self.conv_1(x)).relu()
        x = self.norm(self.conv_2(x)).relu()  # expect: LL001
        return x

# run: FeatureExtractor() on (2, 1, 12, 12)
