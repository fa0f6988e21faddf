# source: keras-team/keras#12948 — a list of one Conv2D repeated n times; over a 1-channel input the second slot sees 8 channels
import keras
from keras import layers


def build_model(depth=3):
    convs = [layers.Conv2D(8, 3, padding="same", activation="relu")] * depth
    # the slot that goes wrong is the second `Conv2D` of this Sequential (issue 15, point 5)
    return keras.Sequential([keras.Input(shape=(8, 8, 1)), *convs, layers.GlobalAveragePooling2D()])  # expect: LL001

# run: build_model() on (2, 8, 8, 1)
