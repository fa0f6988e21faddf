# source: ginobilinie/medSynthesisV1#18 — the first block's norm used again for the second (spelled with getattr and an index)
import torch.nn as nn


class UNetStem(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.conv0 = nn.Conv2d(1, width, 3, padding=1)
        self.conv1 = nn.Conv2d(width, width, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(width)

    def _block(self, x, i):
        conv = getattr(self, f"conv{i}")
        bn = getattr(self, f"bn{i}")
        return bn(conv(x)).relu()

    def forward(self, x):
        x = self.conv0(x)
        x = self._block(x, 1)
        return self._block(x, 1)  # expect: LL002

# run: UNetStem() on (2, 1, 8, 8)
