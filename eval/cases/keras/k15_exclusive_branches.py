# source: tensorflow/tensorflow#34132 — a Discriminator whose normalization depends on a configuration switch
# expect-none
# The same BatchNormalization appears in both arms of an if/else: only one arm runs per pass.
import keras
from keras import layers


class Discriminator(keras.Model):
    def __init__(self, downsample=True):
        super().__init__()
        self.downsample = downsample
        self.strided = layers.Conv2D(32, 3, strides=2, padding="same")
        self.plain = layers.Conv2D(32, 3, padding="same")
        self.norm = layers.BatchNormalization()
        self.act = layers.LeakyReLU(0.2)

    def call(self, x):
        if self.downsample:
            x = self.act(self.norm(self.strided(x)))
        else:
            x = self.act(self.norm(self.plain(x)))
        return x

# run: Discriminator() on (2, 16, 16, 3)
# run: Discriminator(downsample=False) on (2, 16, 16, 3)
