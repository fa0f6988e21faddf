# source: tensorflow/tensorflow#32682 — one convolution applied to the image and again to its own output (PyTorch, listed twice in a Sequential)
# Conv2d(3, 8) receives its own 8-channel output in the second slot.
import torch.nn as nn


def build_model():
    conv = nn.Conv2d(3, 8, 3, padding=1)
    return nn.Sequential(conv, nn.ReLU(), conv)  # expect: LL001

# run: build_model() on (2, 3, 8, 8)
