# source: https://keras.io/guides/functional_api/#shared-layers — one Embedding maps two texts into the same space (tf_keras)
# Designed sharing: the question and the answer use one vocabulary and one embedding.
# expect-none
import tf_keras as keras
from tf_keras import layers


def build_model(vocab=50, dim=8):
    question = keras.Input(shape=(6,), dtype="int32")
    answer = keras.Input(shape=(6,), dtype="int32")
    embed = layers.Embedding(vocab, dim)
    q = layers.GlobalAveragePooling1D()(embed(question))
    a = layers.GlobalAveragePooling1D()(embed(answer))
    return keras.Model([question, answer], layers.Dot(axes=1)([q, a]))

# run: build_model() on (2, 6); (2, 6)
