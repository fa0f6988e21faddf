# source: https://keras.io/api/layers/recurrent_layers/bidirectional/ — Bidirectional builds its forward and backward layers from the layer it is given
# One LSTM handed to two Bidirectional wrappers: each wrapper makes its own copies, so nothing is shared.
# expect-none
import keras
from keras import layers


def build_model():
    question = keras.Input(shape=(6, 5))
    answer = keras.Input(shape=(6, 5))
    lstm = layers.LSTM(4)
    q = layers.Bidirectional(lstm)(question)
    a = layers.Bidirectional(lstm)(answer)
    return keras.Model([question, answer], layers.Dot(axes=1)([q, a]))

# run: build_model() on (2, 6, 5); (2, 6, 5)
