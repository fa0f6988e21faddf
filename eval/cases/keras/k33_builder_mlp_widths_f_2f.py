# source: layerlint issue 15, point 6 — one BatchNormalization passed into a builder that fills MLP blocks of widths F and 2F
# Each block is `[Dense(width), norm]`; the second block feeds the same norm 2F features.
import keras
from keras import layers


def mlp_block(width, norm):
    return [layers.Dense(width), norm]


def build_model(features=8):
    norm = layers.BatchNormalization()
    return keras.Sequential(mlp_block(features, norm) + mlp_block(2 * features, norm))  # expect: LL001

# run: build_model() on (2, 4)
