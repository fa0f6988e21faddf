# source: keras-team/keras-core#820 — Keras 3 locks a built layer: "You cannot add new elements of state ... to a layer that is already built"
# source: keras-team/keras-io#647 — tf.keras allowed creating layer state as late as the first call()
# expect-raise
# The tf.keras idiom of creating the projection lazily on the first call. This layer owns no other state,
# so Keras 3 considers it built (and locked) before call() runs, and refuses the new Dense.
import keras
from keras import layers


class LazyProjection(layers.Layer):
    def __init__(self, units=4):
        super().__init__()
        self.units = units
        self.proj = None

    def call(self, x):
        if self.proj is None:
            self.proj = layers.Dense(self.units)  # expect: LL005
        return self.proj(x)

# run: LazyProjection() on (2, 8)
