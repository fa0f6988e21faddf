# source: acids-ircam/ddsp_pytorch#37 — one layer object repeated where separate layers were meant (spelled with itertools.repeat, Keras 3)
import itertools

import keras
from keras import layers


def build_model(width=8, depth=3):
    hidden = itertools.repeat(layers.Dense(width, activation="relu"), depth)  # expect: LL004
    return keras.Sequential([keras.Input(shape=(width,)), *hidden, layers.Dense(1)])

# run: build_model() on (2, 8)
