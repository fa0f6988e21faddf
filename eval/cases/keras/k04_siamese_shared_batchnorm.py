# source: keras-team/keras#8794 — a BatchNormalization layer shared Siamese-style gets wrong moving statistics
# Two inputs, two separate Dense encoders, but one BatchNormalization for both streams.
import keras
from keras import layers


def build_model():
    left = keras.Input(shape=(4,))
    right = keras.Input(shape=(4,))
    shared_bn = layers.BatchNormalization()
    a = shared_bn(layers.Dense(8)(left))
    b = shared_bn(layers.Dense(8)(right))  # expect: LL002
    merged = layers.Concatenate()([a, b])
    return keras.Model([left, right], layers.Dense(1)(merged))

# run: build_model() on (2, 4); (2, 4)
