# source: tfjgeorge/nngeometry#60 — `[nn.Linear(100, 100), nn.ReLU()] * 10` between a first and a last layer: one Linear, ten slots
import torch.nn as nn


def build_model(width=12, hidden=8, depth=4):
    layers = [nn.Flatten(), nn.Linear(width, hidden), nn.ReLU()] + [nn.Linear(hidden, hidden), nn.ReLU()] * depth + [nn.Linear(hidden, 3)]  # expect: LL004
    return nn.Sequential(*layers)

# run: build_model() on (2, 3, 4)
