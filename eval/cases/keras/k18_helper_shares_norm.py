# source: tensorflow/tensorflow#34132 — same discriminator, but the helper always uses self.norm
# The helper normalizes every step with one BatchNormalization; both steps produce 16 channels, so it runs and shares statistics.
import keras
from keras import layers


class Discriminator(keras.Model):
    def __init__(self, base=16):
        super().__init__()
        self.conv1 = layers.Conv2D(base, 3, padding="same")
        self.conv2 = layers.Conv2D(base, 3, padding="same")
        self.norm = layers.BatchNormalization()
        self.act = layers.LeakyReLU(0.2)

    def step(self, x, conv):
        return self.act(self.norm(conv(x)))

    def call(self, x):
        x = self.step(x, self.conv1)
        return self.step(x, self.conv2)  # expect: LL002

# run: Discriminator() on (2, 8, 8, 3)
