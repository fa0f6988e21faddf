# source: keras-team/keras#12948 — `[Conv2D(fm, 3)] * n` looped over in the functional API fails on the second layer
# List repetition gives n references to one Conv2D: built for 1 channel, then fed its own 8-channel output.
import keras
from keras import layers


def build_model(fm=8, n=4):
    inputs = keras.Input(shape=(16, 16, 1))
    convs = [layers.Conv2D(fm, 3, padding="same")] * n  # the cause, shown by the LL001 below (one bug, one finding)
    h = inputs
    for conv in convs:
        z = conv(h)  # expect: LL001
        h = layers.Activation("relu")(z)
    return keras.Model(inputs, h)

# run: build_model() on (2, 16, 16, 1)
