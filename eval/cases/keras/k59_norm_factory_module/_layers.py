"""Helper module of the k59 case: the norm factory of the project."""
from keras import layers


def make_norm(epsilon=1e-6):
    return layers.LayerNormalization(epsilon=epsilon)
