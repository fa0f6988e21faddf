# source: allenai/OLMo#222 — "Sequential Olmo block should not have shared layernorm" (Keras 3, the norm made by a factory in another module)
import keras
from keras import layers

from ._layers import make_norm


class Block(keras.layers.Layer):
    def __init__(self, dim=16):
        super().__init__()
        self.norm = make_norm()
        self.attn = layers.Dense(dim)
        self.ff = layers.Dense(dim)

    def call(self, x):
        x = x + self.attn(self.norm(x))
        return x + self.ff(self.norm(x))  # expect: LL002

# run: Block() on (2, 5, 16)
