# source: tensorflow/tensorflow#20842 — layers used inside a Lambda (here one Dense applied twice by the Lambda's function, Keras 3)
# The two applications share the Dense's weights, and the model does not even track them.
import keras
from keras import layers


def build_model(width=8):
    inputs = keras.Input(shape=(width,))
    refine = layers.Dense(width, activation="relu")
    outputs = layers.Lambda(lambda t: refine(refine(t)))(inputs)  # expect: LL003
    return keras.Model(inputs, outputs)

# run: build_model() on (2, 8)
