# source: keras-team/keras#4334 — "BatchNormalization does not allow model encapsulation": a whole model used as one layer of another
# The base runs once per pass of the outer model: its BatchNormalization is not shared.
# expect-none
import tf_keras as keras
from tf_keras import layers


def build_base():
    image = keras.Input(shape=(8, 8, 3))
    x = layers.Conv2D(8, 3, padding="same")(image)
    x = layers.BatchNormalization()(x)
    return keras.Model(image, layers.GlobalAveragePooling2D()(layers.ReLU()(x)))


def build_classifier():
    image = keras.Input(shape=(8, 8, 3))
    features = build_base()(image)
    return keras.Model(image, layers.Dense(2, activation="softmax")(features))

# run: build_classifier() on (2, 8, 8, 3)
