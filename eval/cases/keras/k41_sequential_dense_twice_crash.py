# source: deep-learning-with-pytorch/dlwpt-code#89 — the same layer object placed twice in a Sequential (Keras 3, widths differ)
# Dense(8) is built for 4 features by its first slot, then receives its own 8-wide output.
import keras
from keras import layers


def build_model():
    hidden = layers.Dense(8, activation="relu")
    return keras.Sequential([keras.Input(shape=(4,)), hidden, hidden, layers.Dense(1)])  # expect: LL001

# run: build_model() on (2, 4)
