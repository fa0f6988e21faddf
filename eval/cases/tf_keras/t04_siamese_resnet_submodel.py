# source: keras-team/keras#4808 — a ResNet-style encoder with BatchNormalization used Siamese-fashion
# source: keras-team/keras#11927 — "Batchnorm in shared layers": the whole encoder model applied to several inputs
# expect-none
# Sharing the whole encoder (statistics included) is the Siamese design; it is reported as LL003 at most.
import tf_keras as keras
from tf_keras import layers


def make_encoder():
    image = keras.Input(shape=(8, 8, 3))
    x = layers.Conv2D(8, 3, padding="same")(image)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(image, x)


def build_model():
    encoder = make_encoder()
    input_a = keras.Input(shape=(8, 8, 3))
    input_b = keras.Input(shape=(8, 8, 3))
    a = encoder(input_a)
    b = encoder(input_b)
    distance = layers.Subtract()([a, b])
    return keras.Model([input_a, input_b], distance)

# run: build_model() on (2, 8, 8, 3); (2, 8, 8, 3)
