# source: keras-team/keras#10046 — configuration flags decide the path through a subclassed model
# expect-none
# Two mutually exclusive paths share one LayerNormalization: only one path runs per model.
import tf_keras as keras
from tf_keras import layers


class TwoPaths(keras.Model):
    def __init__(self, mode="wide"):
        super().__init__()
        self.mode = mode
        self.wide = layers.Dense(16)
        self.narrow = layers.Dense(16, use_bias=False)
        self.norm = layers.LayerNormalization()

    def call(self, x):
        if self.mode == "wide":
            return self.norm(self.wide(x))
        return self.norm(self.narrow(x))

# run: TwoPaths() on (2, 8)
# run: TwoPaths(mode="narrow") on (2, 8)
