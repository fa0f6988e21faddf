# source: layerlint issue 15, point 6 — `Sequential([Input(3 ch), bn, Conv2D(16), bn])`: the container gives one norm two sizes
# The leading Input builds the Sequential at once: the norm is built for 3 channels, then fed 16.
import keras
from keras import layers


def build_model():
    norm = layers.BatchNormalization()
    return keras.Sequential([  # expect: LL001
        keras.Input(shape=(8, 8, 3)),
        norm,
        layers.Conv2D(16, 3, padding="same"),
        norm,
    ])

# run: build_model() on (2, 8, 8, 3)
