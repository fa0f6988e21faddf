# source: deep-learning-with-pytorch/dlwpt-code#89 — the same block object placed several times in a Sequential (Keras version)
# One BatchNormalization instance placed before and after a convolution of equal width.
import keras
from keras import layers


def build_model():
    norm = layers.BatchNormalization()
    return keras.Sequential([  # expect: LL004
        keras.Input(shape=(8, 8, 4)),
        norm,
        layers.Conv2D(4, 3, padding="same"),
        norm,
    ])

# run: build_model() on (2, 8, 8, 4)
