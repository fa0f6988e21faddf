# source: https://heytensor.com/answers/batch-norm-input-shape.html — "the BatchNorm2d argument must equal out_channels of the preceding Conv2d"
import torch.nn as nn


class ConvBNReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.bn = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))  # expect: LL006

# run: ConvBNReLU() on (2, 3, 8, 8)
