# source: allenai/OLMo#222 — "Sequential Olmo block should not have shared layernorm" (the norms set with setattr from one instance, Keras 3)
import keras
from keras import layers


class Block(keras.layers.Layer):
    def __init__(self, dim=16):
        super().__init__()
        norm = layers.LayerNormalization()
        for name in ("attn_norm", "ff_norm"):
            setattr(self, name, norm)
        self.attn = layers.Dense(dim)
        self.ff = layers.Dense(dim)

    def call(self, x):
        x = x + self.attn(self.attn_norm(x))
        return x + self.ff(self.ff_norm(x))  # expect: LL002

# run: Block() on (2, 5, 16)
