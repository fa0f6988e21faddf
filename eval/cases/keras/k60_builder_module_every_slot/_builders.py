"""Helper module of the k60 case: an MLP builder that puts the norm it is handed after every Dense."""
import keras
from keras import layers


def mlp(widths, norm):
    stack = []
    for width in widths:
        stack += [layers.Dense(width), norm, layers.ReLU()]
    return keras.Sequential(stack)
