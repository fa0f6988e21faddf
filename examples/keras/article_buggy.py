# The seed article's model: one BatchNormalization after a 6-channel and a 16-channel convolution.
from tensorflow.keras import Model
from tensorflow.keras.layers import BatchNormalization, Conv2D, MaxPool2D


class FeatureExtractor(Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = Conv2D(6, 4, padding="valid", activation="relu")
        self.batchnorm = BatchNormalization()
        self.maxpool = MaxPool2D(pool_size=2, strides=2)
        self.conv_2 = Conv2D(16, 4, padding="valid", activation="relu")

    def call(self, x):
        x = self.conv_1(x)
        x = self.batchnorm(x)
        x = self.maxpool(x)
        x = self.conv_2(x)
        x = self.batchnorm(x)  # LL001: built for 6 channels, gets 16
        x = self.maxpool(x)
        return x

# run: FeatureExtractor() on (2, 28, 28, 1)
