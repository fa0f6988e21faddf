# source: facebookresearch/param#41 — "do not share params among MLP hidden layers" (one Dense handed to two residual wrappers, tf_keras)
import tf_keras as keras
from tf_keras import layers


class Residual(layers.Layer):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def call(self, x):
        return x + self.fn(x)


class MLP(keras.Model):
    def __init__(self, width=16):
        super().__init__()
        hidden = layers.Dense(width, activation="relu")
        self.first = Residual(hidden)
        self.second = Residual(hidden)

    def call(self, x):
        return self.second(self.first(x))  # expect: LL003

# run: MLP() on (2, 16)
