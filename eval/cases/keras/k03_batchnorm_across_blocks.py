# source: tensorflow/tensorflow#29492 — BatchNormalization reused across blocks of different width (pattern as summarized in issue 9; thread not retrieved)
# One BatchNormalization after a 32-channel block and again after a 64-channel block.
import keras
from keras import layers


class TwoBlocks(keras.Model):
    def __init__(self):
        super().__init__()
        self.block1 = layers.Conv2D(32, 3, padding="same")
        self.block2 = layers.Conv2D(64, 3, strides=2, padding="same")
        self.bn = layers.BatchNormalization()
        self.relu = layers.ReLU()

    def call(self, x, training=False):
        x = self.relu(self.bn(self.block1(x), training=training))
        x = self.relu(self.bn(self.block2(x), training=training))  # expect: LL001
        return x

# run: TwoBlocks() on (2, 16, 16, 3)
