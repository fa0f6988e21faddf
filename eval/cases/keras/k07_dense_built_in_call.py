# source: keras-team/keras#11736 — a Dense created inside call() of a custom Layer is never trained
# Every call builds a brand-new Dense with fresh weights; the optimizer never sees them.
import keras
from keras import layers


class ProjectThenScale(layers.Layer):
    def __init__(self, units=6):
        super().__init__()
        self.units = units
        self.scale = layers.Dense(units, use_bias=False)

    def call(self, inputs):
        projected = layers.Dense(self.units)(inputs)  # expect: LL005
        return self.scale(projected)

# run: ProjectThenScale() on (2, 10)
