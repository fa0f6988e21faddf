# source: dreamquark-ai/tabnet#76 — one batch norm object ending up in every block (Keras 3: handed to an MLP builder from another module, widths F and 2F)
import keras
from keras import layers

from ._builders import mlp


def build_model(features=8):
    inputs = keras.Input(shape=(4,))
    head = mlp([features, 2 * features], layers.BatchNormalization())
    return keras.Model(inputs, head(inputs))  # expect: LL001

# run: build_model() on (2, 4)
