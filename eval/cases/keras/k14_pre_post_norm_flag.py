# source: k2-fsa/snowfall#184 — transformer layers with `normalize_before`: pre-norm or post-norm, never both
# source: pytorch/pytorch#55270 — pre/post LayerNorm configuration of the transformer layer
# expect-none
import keras
from keras import layers


class FeedForwardLayer(layers.Layer):
    def __init__(self, d_model=16, normalize_before=True):
        super().__init__()
        self.normalize_before = normalize_before
        self.norm_ff = layers.LayerNormalization()
        self.ff1 = layers.Dense(32, activation="relu")
        self.ff2 = layers.Dense(d_model)

    def call(self, x):
        residual = x
        if self.normalize_before:
            x = self.norm_ff(x)
        x = residual + self.ff2(self.ff1(x))
        if not self.normalize_before:
            x = self.norm_ff(x)
        return x

# run: FeedForwardLayer() on (2, 4, 16)
# run: FeedForwardLayer(normalize_before=False) on (2, 4, 16)
