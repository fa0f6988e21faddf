# source: tensorflow/tensorflow#30487 — one small CNN applied to each slice of a volume (intended reuse)
# expect-none
# The same Sequential feature extractor is called on every channel slice: one set of weights, by design.
import keras
from keras import layers


class SliceEncoder(keras.Model):
    def __init__(self, slices=3):
        super().__init__()
        self.slices = slices
        self.cnn_block = keras.Sequential([
            layers.Conv2D(4, 3, padding="same", activation="relu"),
            layers.Conv2D(4, 3, padding="same", activation="relu"),
            layers.GlobalAveragePooling2D(),
        ])
        self.concat = layers.Concatenate()

    def call(self, volume):
        features = []
        for i in range(self.slices):
            features.append(self.cnn_block(volume[..., i:i + 1]))
        return self.concat(features)

# run: SliceEncoder() on (2, 8, 8, 3)
