# source: keras-team/keras#4374 — feeding a layer's output back into the same layer; here the width changes, so it crashes
import keras
from keras import layers


class Refeed(keras.Model):
    def __init__(self):
        super().__init__()
        self.expand = layers.Dense(24, activation="relu")

    def call(self, x):
        h = self.expand(x)
        return self.expand(h)  # expect: LL001

# run: Refeed() on (2, 10)
