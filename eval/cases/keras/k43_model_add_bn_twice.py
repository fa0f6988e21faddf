# source: deep-learning-with-pytorch/dlwpt-code#89 — the same layer object placed several times in a Sequential (Keras 3, added twice with model.add)
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
