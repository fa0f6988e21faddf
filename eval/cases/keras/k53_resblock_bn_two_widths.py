# source: ginobilinie/medSynthesisV1#18 — the first convolution's norm applied after the second, whose width differs (Keras 3)
import keras
from keras import layers


class DownBlock(keras.layers.Layer):
    def __init__(self, mid=8, out=16):
        super().__init__()
        self.conv1 = layers.Conv2D(mid, 3, padding="same")
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(out, 3, padding="same")
        self.bn2 = layers.BatchNormalization()

    def call(self, x):
        x = keras.ops.relu(self.bn1(self.conv1(x)))
        return keras.ops.relu(self.bn1(self.conv2(x)))  # expect: LL001

# run: DownBlock() on (2, 8, 8, 3)
