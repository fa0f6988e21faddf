# source: layerlint issue 15, point 3 — intent written in the code: a comment on the call line says the norm is shared on purpose
# Two branches of different layers would be an accident, but the author says the sharing is meant.
import keras
from keras import layers


class Branches(keras.Model):
    def __init__(self):
        super().__init__()
        self.left = layers.Dense(8)
        self.right = layers.Dense(8)
        self.norm = layers.LayerNormalization()

    def call(self, x):
        a = self.norm(self.left(x))
        b = self.norm(self.right(x))  # shared on purpose: one scale for both branches  # expect: LL003
        return a + b

# run: Branches() on (2, 4)
