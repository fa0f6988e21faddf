# source: keras-team/keras#11736 — "When wrapping an existing Layer in a custom Layer, weights are not updated" (Keras 2 era)
import tf_keras as keras
from tf_keras import layers


class CustomLayer(layers.Layer):
    def __init__(self, units=5):
        super().__init__()
        self.units = units

    def call(self, inputs):
        output = layers.Dense(self.units)(inputs)  # expect: LL005
        return output


def build_model():
    inputs = keras.Input(shape=(7,))
    return keras.Model(inputs, CustomLayer()(inputs))

# run: build_model() on (2, 7)
