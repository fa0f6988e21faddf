# The seed article's model on the tf_keras package (Keras 2): the same crash, tf.keras's wording.
import tf_keras as keras
from tf_keras.layers import BatchNormalization, Conv2D, MaxPool2D


class FeatureExtractor(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = Conv2D(6, 4, padding="valid", activation="relu")
        self.batchnorm = BatchNormalization()
        self.maxpool = MaxPool2D(pool_size=2, strides=2)
        self.conv_2 = Conv2D(16, 4, padding="valid", activation="relu")

    def call(self, x):
        x = self.maxpool(self.batchnorm(self.conv_1(x)))
        x = self.maxpool(self.batchnorm(self.conv_2(x)))  # LL001: built for 6 channels, gets 16
        return x

# run: FeatureExtractor() on (2, 28, 28, 1)
