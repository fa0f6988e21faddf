# source: layerlint issue 15, point 6 — one BatchNorm2d in two slots of an nn.Sequential whose neighbours give it 3 and 16 channels
import torch.nn as nn


def build_model():
    norm = nn.BatchNorm2d(3)
    return nn.Sequential(norm, nn.Conv2d(3, 16, 3, padding=1), norm)  # expect: LL001

# run: build_model() on (2, 3, 8, 8)
