# source: yaoppeng/U-Net_v2#10 — "Using the same Conv2d layer instance may cause problems": ModuleList([nn.Conv2d(...)] * 4)
import torch
import torch.nn as nn
import torch.nn.functional as F


class SDI(nn.Module):
    def __init__(self, channel=4, n_classes=1):
        super().__init__()
        self.convs = nn.ModuleList(
            [nn.Conv2d(channel, channel, kernel_size=3, stride=1, padding=1)] * 4)  # expect: LL004
        self.seg_outs = nn.ModuleList([nn.Conv2d(channel, n_classes, 1, 1)] * 4)  # expect: LL004

    def forward(self, x):
        size = x.shape[-1]
        features = [F.interpolate(x, size=(size // 2 ** i, size // 2 ** i)) for i in range(4)]
        outputs = []
        for feature, conv, seg in zip(features, self.convs, self.seg_outs):
            fused = conv(F.interpolate(feature, size=(size, size)))
            outputs.append(seg(fused))
        return torch.stack(outputs).sum(0)

# run: SDI() on (2, 4, 16, 16)
