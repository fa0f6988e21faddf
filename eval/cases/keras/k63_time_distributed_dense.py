# source: https://keras.io/api/layers/recurrent_layers/time_distributed/ — TimeDistributed applies one layer to every temporal slice
# Designed sharing: the same Dense for every frame.
# expect-none
import keras
from keras import layers


def build_model():
    frames = keras.Input(shape=(5, 6))
    x = layers.TimeDistributed(layers.Dense(8, activation="relu"))(frames)
    x = layers.TimeDistributed(layers.Dense(8))(x)
    return keras.Model(frames, layers.GlobalAveragePooling1D()(x))

# run: build_model() on (2, 5, 6)
