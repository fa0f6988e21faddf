# source: tensorflow/tensorflow#13822 — "Convolutional layers cannot be used multiple times": calling one layer twice must share variables
# expect-none
import tf_keras as keras
from tf_keras import layers


def build_model():
    a = keras.Input(shape=(6, 6, 3))
    c = layers.Conv2D(4, 3, padding="same")
    x = c(a)
    y = c(a)
    return keras.Model(a, layers.Add()([x, y]))

# run: build_model() on (2, 6, 6, 3)
