# source: keras-team/keras#3374 — "Problem reusing batchnorm": an autoencoder split into encoder and decoder models over the same layers
# Every layer runs once per pass of the full model; the sub-models only give other views of the graph.
# expect-none
import keras
from keras import layers


def build_models():
    image = keras.Input(shape=(8, 8, 3))
    x = layers.Conv2D(8, 3, padding="same")(image)
    x = layers.BatchNormalization()(x)
    code = layers.Conv2D(4, 3, padding="same")(x)
    y = layers.Conv2D(8, 3, padding="same")(code)
    y = layers.BatchNormalization()(y)
    restored = layers.Conv2D(3, 3, padding="same")(y)
    encoder = keras.Model(image, code)
    autoencoder = keras.Model(image, restored)
    return encoder, autoencoder


def build_autoencoder():
    return build_models()[1]

# run: build_autoencoder() on (2, 8, 8, 3)
