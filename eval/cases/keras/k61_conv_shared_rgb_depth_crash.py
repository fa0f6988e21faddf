# source: keras-team/keras#4245 — "Multiple inputs with different number of channels": one stem convolution for an RGB and a depth input
# The Conv2D is built for 3 channels by the RGB call; the 1-channel depth input then fails (Keras 3).
import keras
from keras import layers


def build_model():
    rgb = keras.Input(shape=(8, 8, 3))
    depth = keras.Input(shape=(8, 8, 1))
    stem = layers.Conv2D(8, 3, padding="same", activation="relu")
    a = stem(rgb)
    b = stem(depth)  # expect: LL001
    return keras.Model([rgb, depth], layers.Concatenate()([a, b]))

# run: build_model() on (2, 8, 8, 3); (2, 8, 8, 1)
