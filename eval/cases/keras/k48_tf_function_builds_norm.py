# source: tensorflow/addons#263 — "Using InstanceNormalization()(x) in @tf.function decorated function fails"
# The norm is constructed inside the compiled step: TensorFlow refuses variables created on a later trace.
# expect-raise
import keras
import tensorflow as tf
from keras import layers


def build_generator():
    return keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.Conv2D(4, 3, padding="same")])


@tf.function
def generator_step(model, x):
    norm = layers.GroupNormalization(groups=-1)  # expect: LL005
    return norm(model(x))


class Trainer:
    def __init__(self):
        self.generator = build_generator()

    def __call__(self, x):
        return generator_step(self.generator, x)

# run: Trainer() on (2, 8, 8, 3)
