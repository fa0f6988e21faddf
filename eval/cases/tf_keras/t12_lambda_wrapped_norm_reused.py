# source: tensorflow/tensorflow#20842 — a conv and a Lambda-wrapped instance norm each called twice in call()
# The Lambda holds no state (sharing it is harmless); the convolution is called on its own output (1 -> 1 channel).
# expect-none
import tensorflow as tf
import tf_keras as keras
from tf_keras import layers


def instance_norm(x):
    mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)
    return (x - mean) / tf.sqrt(variance + 1e-5)


class MyModel(keras.Model):
    def __init__(self, n_filters=1):
        super().__init__()
        self.conv = layers.Conv2D(n_filters, 3, padding="same")
        self.instance_norm = layers.Lambda(instance_norm)

    def call(self, inputs):
        x = self.conv(inputs)
        x = self.instance_norm(x)
        x = self.conv(x)
        x = self.instance_norm(x)
        return x

# run: MyModel() on (2, 6, 6, 1)
