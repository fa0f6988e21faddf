# The corrected PyTorch model: one BatchNorm2d per convolution, sized for it; one shared MaxPool2d.
import torch.nn as nn
import torch.nn.functional as F


class FeatureExtractor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_1 = nn.Conv2d(1, 6, 4)
        self.bn1 = nn.BatchNorm2d(6)
        self.maxpool = nn.MaxPool2d(2, 2)
        self.conv_2 = nn.Conv2d(6, 16, 4)
        self.bn2 = nn.BatchNorm2d(16)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv_1(x))))
        return self.maxpool(F.relu(self.bn2(self.conv_2(x))))

# run: FeatureExtractor() on (2, 1, 28, 28)
