# source: kanezaki/pytorch-unsupervised-segmentation#1 — one batch norm for two convolutions, here through an attribute alias (Keras 3)
import keras
from keras import layers


class Features(keras.layers.Layer):
    def __init__(self, width=8):
        super().__init__()
        self.conv1 = layers.Conv2D(width, 3, padding="same")
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(width, 3, padding="same")
        self.bn2 = self.bn1

    def call(self, x):
        x = keras.ops.relu(self.bn1(self.conv1(x)))
        return keras.ops.relu(self.bn2(self.conv2(x)))  # expect: LL002

# run: Features() on (2, 8, 8, 3)
