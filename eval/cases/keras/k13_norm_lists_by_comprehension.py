# source: keras-team/keras#18823 — a sub-model with parallel lists of Dense and LayerNormalization layers
# expect-none
# Each list is built by a comprehension: one new layer per slot, paired with zip().
import keras
from keras import layers


class SubModel(keras.Model):
    def __init__(self, depth=3):
        super().__init__()
        self.dense_layers = [layers.Dense(16, activation="relu") for _ in range(depth)]
        self.layer_norms = [layers.LayerNormalization() for _ in range(depth)]
        self.output_layer = layers.Dense(8)

    def call(self, inputs):
        x = inputs
        for dense, norm in zip(self.dense_layers, self.layer_norms):
            x = norm(dense(x))
        return self.output_layer(x)

# run: SubModel() on (2, 12)
