# The seed article's model in PyTorch: one BatchNorm2d(6) after a 6-channel and a 16-channel convolution.
import torch.nn as nn
import torch.nn.functional as F


class FeatureExtractor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_1 = nn.Conv2d(1, 6, 4)
        self.batchnorm = nn.BatchNorm2d(6)
        self.maxpool = nn.MaxPool2d(2, 2)
        self.conv_2 = nn.Conv2d(6, 16, 4)

    def forward(self, x):
        x = self.maxpool(F.relu(self.batchnorm(self.conv_1(x))))
        x = self.maxpool(F.relu(self.batchnorm(self.conv_2(x))))  # LL001: declared for 6, gets 16
        return x

# run: FeatureExtractor() on (2, 1, 28, 28)
