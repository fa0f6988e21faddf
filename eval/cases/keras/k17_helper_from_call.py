# source: tensorflow/tensorflow#34132 — a discriminator built from conv/norm/activation steps through a helper
# expect-none
# A helper method called from call() gets a different conv and a different norm each time.
import keras
from keras import layers


class Discriminator(keras.Model):
    def __init__(self, base=8):
        super().__init__()
        self.conv1 = layers.Conv2D(base, 3, padding="same")
        self.norm1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(base * 2, 3, padding="same")
        self.norm2 = layers.BatchNormalization()
        self.act = layers.LeakyReLU(0.2)

    def step(self, x, conv, norm):
        return self.act(norm(conv(x)))

    def call(self, x):
        x = self.step(x, self.conv1, self.norm1)
        return self.step(x, self.conv2, self.norm2)

# run: Discriminator() on (2, 8, 8, 3)
