# source: tfjgeorge/nngeometry#60 — `first + [Dense, ReLU] * n + last`: one hidden Dense in n slots (Keras 3)
import keras
from keras import layers


def build_model(hidden=8, depth=3):
    stack = [keras.Input(shape=(12,)), layers.Dense(hidden), layers.ReLU()] + [layers.Dense(hidden), layers.ReLU()] * depth + [layers.Dense(3)]  # expect: LL004
    return keras.Sequential(stack)

# run: build_model() on (2, 12)
