"""Helper module of the t32 case: the project's norm factory."""
from tf_keras import layers


def make_norm():
    return layers.BatchNormalization(momentum=0.9)
