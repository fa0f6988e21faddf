# source: keras-team/tf-keras#307 — layers added to a Sequential one `add` at a time (here the same BatchNormalization added twice)
import keras
from keras import layers


def build_model():
    model = keras.Sequential()
    model.add(keras.Input(shape=(8,)))
    bn = layers.BatchNormalization()
    model.add(bn)
    model.add(layers.Dense(8, activation="relu"))
    model.add(bn)  # expect: LL004
    model.add(layers.Dense(1))
    return model

# run: build_model() on (4, 8)
