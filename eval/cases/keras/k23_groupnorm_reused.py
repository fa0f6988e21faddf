# source: keras-team/keras-core#707 — a ResnetBlock with norm1/norm2 (GroupNormalization); here norm1 is used for both
import keras
from keras import layers


class ResnetBlock(layers.Layer):
    def __init__(self, width=8):
        super().__init__()
        self.norm1 = layers.GroupNormalization(groups=4, epsilon=1e-5)
        self.conv1 = layers.Conv2D(width, 3, padding="same")
        self.norm2 = layers.GroupNormalization(groups=4, epsilon=1e-5)
        self.conv2 = layers.Conv2D(width, 3, padding="same")

    def call(self, inputs):
        x = self.conv1(keras.activations.swish(self.norm1(inputs)))
        x = self.conv2(keras.activations.swish(self.norm1(x)))  # expect: LL002
        return inputs + x

# run: ResnetBlock() on (2, 8, 8, 8)
