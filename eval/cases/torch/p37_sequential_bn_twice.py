# source: deep-learning-with-pytorch/dlwpt-code#89 — one module object placed in several positions of an nn.Sequential
import torch.nn as nn


def build_model():
    bn = nn.BatchNorm2d(8)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), bn, nn.ReLU(),  # expect: LL004
                         nn.Conv2d(8, 8, 3, padding=1), bn, nn.ReLU())

# run: build_model() on (2, 3, 8, 8)
