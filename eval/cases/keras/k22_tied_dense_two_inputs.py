# source: tensorflow/tensorflow#13822 — a Dense (and Conv) layer called on several inputs must share its variables
# expect-none
# One Dense encodes the query and the document of equal width: the shared weights are the point.
import keras
from keras import layers


def build_model():
    query = keras.Input(shape=(12,))
    document = keras.Input(shape=(12,))
    encoder = layers.Dense(8, activation="tanh")
    q = encoder(query)
    d = encoder(document)
    score = layers.Dot(axes=1)([q, d])
    return keras.Model([query, document], score)

# run: build_model() on (2, 12); (2, 12)
