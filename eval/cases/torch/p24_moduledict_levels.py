# source: tensorflow/tensorflow#33305 — per-level heads of a feature pyramid; here one conv+norm per level in nn.ModuleDict
# expect-none
import torch.nn as nn
import torch.nn.functional as F


class FPNLevels(nn.Module):
    def __init__(self, channels=(4, 8, 16), width=8):
        super().__init__()
        self.names = [f"p{i + 3}" for i in range(len(channels))]
        self.lateral = nn.ModuleDict({n: nn.Conv2d(c, width, 1) for n, c in zip(self.names, channels)})
        self.norm = nn.ModuleDict({n: nn.BatchNorm2d(width) for n in self.names})
        self.expand = nn.ModuleDict({n: nn.Conv2d(4, c, 1) for n, c in zip(self.names, channels)})

    def forward(self, x):
        outputs = {}
        for name in self.names:
            feature = self.expand[name](x)
            outputs[name] = self.norm[name](self.lateral[name](feature))
            x = F.max_pool2d(x, 2)
        return outputs

# run: FPNLevels() on (2, 4, 16, 16)
