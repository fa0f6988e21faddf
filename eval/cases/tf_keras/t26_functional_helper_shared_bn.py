# source: keras-team/keras#8794 — one BatchNormalization applied to two streams through a helper of the functional API (tf_keras)
import tf_keras as keras
from tf_keras import layers


def conv_block(x, norm):
    return layers.ReLU()(norm(layers.Conv2D(8, 3, padding="same")(x)))


def build_model():
    rgb = keras.Input(shape=(8, 8, 3))
    depth = keras.Input(shape=(8, 8, 1))
    norm = layers.BatchNormalization()
    a = conv_block(rgb, norm)
    b = conv_block(depth, norm)  # expect: LL002
    return keras.Model([rgb, depth], layers.Add()([a, b]))

# run: build_model() on (2, 8, 8, 3); (2, 8, 8, 1)
