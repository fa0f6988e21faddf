# source: keras-team/keras#4374 — one Dense applied again to its own, wider output (tf_keras, listed twice in a Sequential)
import tf_keras as keras
from tf_keras import layers


def build_model():
    hidden = layers.Dense(8, activation="relu")
    return keras.Sequential([keras.Input(shape=(4,)), hidden, hidden, layers.Dense(1)])  # expect: LL001

# run: build_model() on (2, 4)
