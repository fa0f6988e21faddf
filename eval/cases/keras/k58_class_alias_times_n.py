# source: deep-learning-with-pytorch/dlwpt-code#89 — `n * [Block(...)]` repeats one object (Keras 3, the class picked through a local alias)
import keras
from keras import layers


def build_model(width=8, depth=3, separable=False):
    conv_cls = layers.SeparableConv2D if separable else layers.Conv2D
    body = [conv_cls(width, 3, padding="same", activation="relu")] * depth  # expect: LL004
    return keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.Conv2D(width, 1), *body])

# run: build_model() on (2, 8, 8, 3)
