# source: huggingface/transformers models/focalnet/modeling_focalnet.py — pre- or post-norm chosen by conditional expressions on one flag
# expect-none
# `x if self.post_norm else self.norm(x)` and `x if not self.post_norm else self.norm(x)`: exactly one runs.
import keras
from keras import layers


class Block(layers.Layer):
    def __init__(self, post_norm=False):
        super().__init__()
        self.post_norm = post_norm
        self.norm = layers.LayerNormalization()
        self.dense = layers.Dense(8)

    def call(self, x):
        h = x if self.post_norm else self.norm(x)
        h = self.dense(h)
        return h if not self.post_norm else self.norm(h)

# run: Block() on (2, 8)
# run: Block(post_norm=True) on (2, 8)
