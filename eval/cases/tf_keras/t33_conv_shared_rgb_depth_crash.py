# source: keras-team/keras#4245 — "Multiple inputs with different number of channels": one stem convolution for both inputs (tf_keras)
import tf_keras as keras
from tf_keras import layers


def build_model():
    voxels = keras.Input(shape=(8, 8, 1))
    features = keras.Input(shape=(8, 8, 3))
    stem = layers.Conv2D(8, 3, padding="same", activation="relu")
    a = stem(voxels)
    b = stem(features)  # expect: LL001
    return keras.Model([voxels, features], layers.Add()([a, b]))

# run: build_model() on (2, 8, 8, 1); (2, 8, 8, 3)
