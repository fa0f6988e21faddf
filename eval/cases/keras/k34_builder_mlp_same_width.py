# source: layerlint issue 15, point 6 — the negative of k33: a builder that makes its own norm for each block
# expect-none
import keras
from keras import layers


def mlp_block(width):
    return [layers.Dense(width), layers.BatchNormalization()]


def build_model(features=8):
    return keras.Sequential(mlp_block(features) + mlp_block(2 * features))

# run: build_model() on (2, 4)
