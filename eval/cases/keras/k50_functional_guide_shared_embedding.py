# source: https://keras.io/guides/functional_api/#shared-layers — one Embedding and one LSTM encode two texts in the same way
# Designed sharing: the same encoder for both inputs.
# expect-none
import keras
from keras import layers


def build_model():
    text_a = keras.Input(shape=(6,), dtype="int32")
    text_b = keras.Input(shape=(6,), dtype="int32")
    embed = layers.Embedding(100, 8)
    encoder = layers.LSTM(8)
    a = encoder(embed(text_a))
    b = encoder(embed(text_b))
    return keras.Model([text_a, text_b], layers.Dense(1)(layers.concatenate([a, b])))

# run: build_model() on (2, 6); (2, 6)
