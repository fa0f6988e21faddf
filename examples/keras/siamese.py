# Intended sharing: a siamese network applies one encoder tower to both images. layerlint stays quiet
# by default; `layerlint check --select LL003` lists the shared weights for review.
import keras
from keras import layers


class Encoder(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.conv = layers.Conv2D(8, 3, activation="relu")
        self.norm = layers.BatchNormalization()
        self.pool = layers.GlobalAveragePooling2D()

    def call(self, x):
        return self.pool(self.norm(self.conv(x)))


class Siamese(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.distance = layers.Subtract()

    def call(self, inputs):
        left, right = inputs
        return self.distance([self.encoder(left), self.encoder(right)])

# run: Siamese() on (2, 16, 16, 1); (2, 16, 16, 1)
