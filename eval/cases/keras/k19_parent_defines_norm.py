# source: allenai/OLMo#222 — the block subclass calls the norm its base class created, for both sub-layers
import keras
from keras import layers


class BlockBase(layers.Layer):
    def __init__(self, d_model=16):
        super().__init__()
        self.norm = layers.LayerNormalization()
        self.att_proj = layers.Dense(d_model)
        self.ff_proj = layers.Dense(d_model)


class SequentialBlock(BlockBase):
    def call(self, x):
        x = x + self.att_proj(self.norm(x))
        x = x + self.ff_proj(self.norm(x))  # expect: LL002
        return x

# run: SequentialBlock() on (2, 4, 16)
