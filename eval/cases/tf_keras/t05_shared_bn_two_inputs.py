# source: keras-team/keras#8794 — a BatchNormalization shared between two inputs (tf.keras functional API)
import tf_keras as keras
from tf_keras import layers


def build_model():
    in1 = keras.Input(shape=(3,))
    in2 = keras.Input(shape=(3,))
    norm = layers.BatchNormalization(center=True, scale=True)
    x1 = norm(in1)
    x2 = norm(in2)  # expect: LL002
    return keras.Model([in1, in2], layers.Concatenate()([x1, x2]))

# run: build_model() on (2, 3); (2, 3)
