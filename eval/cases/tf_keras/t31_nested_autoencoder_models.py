# source: keras-team/keras#4638 — "Batch normalization wrapped in a model incorrectly identified as reused": an encoder model inside an autoencoder
# expect-none
import tf_keras as keras
from tf_keras import layers


def build_autoencoder():
    encoder = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4), layers.BatchNormalization(), layers.ReLU()])
    decoder = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8)])
    inputs = keras.Input(shape=(8,))
    return keras.Model(inputs, decoder(encoder(inputs)))

# run: build_autoencoder() on (4, 8)
