# source: keras-team/keras#4374 — "How to feed output of a layer as input to the same layer?" (same width: it works)
# expect-none
# A 16-channel convolution applied three times to its own 16-channel output: recurrent weight sharing.
import keras
from keras import layers


class RecurrentConv(keras.Model):
    def __init__(self, steps=3):
        super().__init__()
        self.steps = steps
        self.conv = layers.Conv2D(16, 3, padding="same", activation="relu")

    def call(self, x):
        for _ in range(self.steps):
            x = self.conv(x)
        return x

# run: RecurrentConv() on (2, 8, 8, 16)
