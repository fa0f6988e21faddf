# source: tensorflow/tensorflow#29492 — BatchNormalization reused across blocks of different width (tf.keras) (pattern as summarized in issue 9; thread not retrieved)
import tf_keras as keras
from tf_keras import layers


class Encoder(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_a = layers.Conv2D(8, 3, padding="same")
        self.conv_b = layers.Conv2D(16, 3, padding="same")
        self.bn = layers.BatchNormalization()

    def call(self, x):
        x = self.bn(self.conv_a(x))
        x = self.bn(self.conv_b(x))  # expect: LL001
        return x

# run: Encoder() on (2, 8, 8, 3)
