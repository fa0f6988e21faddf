# source: deep-learning-with-pytorch/dlwpt-code#54 — every entry references the same block (tf_keras, a list built with itertools.repeat)
import itertools

import tf_keras as keras
from tf_keras import layers


class ResBlock(layers.Layer):
    def __init__(self, channels):
        super().__init__()
        self.conv = layers.Conv2D(channels, 3, padding="same", use_bias=False)
        self.bn = layers.BatchNormalization()

    def call(self, x):
        return x + keras.activations.relu(self.bn(self.conv(x)))


class NetResDeep(keras.Model):
    def __init__(self, channels=8, n_blocks=3):
        super().__init__()
        self.conv1 = layers.Conv2D(channels, 3, padding="same", activation="relu")
        self.resblocks = list(itertools.repeat(ResBlock(channels), n_blocks))  # expect: LL004

    def call(self, x):
        x = self.conv1(x)
        for block in self.resblocks:
            x = block(x)
        return x

# run: NetResDeep() on (2, 8, 8, 3)
