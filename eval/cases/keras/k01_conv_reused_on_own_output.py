# source: tensorflow/tensorflow#32682 — one Conv2D applied to the 3-channel image, then to its own 32-channel output
# Functional API: the second call of the same Conv2D sees 32 input channels; the layer was built for 3.
import keras
from keras import layers


def build_model():
    image = keras.Input(shape=(32, 32, 3))
    conv_32 = layers.Conv2D(32, 3, padding="same", activation="relu")
    pool = layers.MaxPool2D(2)
    first = conv_32(image)
    second = conv_32(first)  # expect: LL001
    return keras.Model(image, pool(second))

# run: build_model() on (2, 32, 32, 3)
