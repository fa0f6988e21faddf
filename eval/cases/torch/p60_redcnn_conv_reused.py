# source: SSinyu/RED-CNN#8 — "The network bug, conv layers were not supposed to share weights"
# One width->width convolution serves every encoder stage, one transposed convolution every decoder stage.
import torch.nn as nn


class REDCNN(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.conv_first = nn.Conv2d(1, width, 3, padding=1)
        self.conv = nn.Conv2d(width, width, 3, padding=1)
        self.conv_t = nn.ConvTranspose2d(width, width, 3, padding=1)
        self.conv_t_last = nn.ConvTranspose2d(width, 1, 3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        residual = x
        out = self.relu(self.conv_first(x))
        out = self.relu(self.conv(out))
        out = self.relu(self.conv(out))  # expect: LL003
        out = self.conv_t(out)
        out = self.conv_t(self.relu(out))  # expect: LL003
        return self.conv_t_last(self.relu(out)) + residual

# run: REDCNN() on (2, 1, 8, 8)
