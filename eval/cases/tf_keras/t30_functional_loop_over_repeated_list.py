# source: tfjgeorge/nngeometry#60 — `first + [block] * n + last` (tf_keras functional API: the list is applied in a loop)
import tf_keras as keras
from tf_keras import layers


def build_model(depth=2):
    inputs = keras.Input(shape=(8,))
    stack = [layers.Dense(8)] + [layers.BatchNormalization()] * depth + [layers.Dense(1)]
    x = inputs
    for layer in stack:
        x = layer(x)  # expect: LL002
    return keras.Model(inputs, x)

# run: build_model() on (4, 8)
