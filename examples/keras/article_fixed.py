# The seed article's corrected model: one BatchNormalization per convolution, one shared MaxPool2D.
from keras import Model
from keras.layers import BatchNormalization, Conv2D, MaxPool2D


class FeatureExtractor(Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = Conv2D(6, 4, padding="valid", activation="relu")
        self.bn1 = BatchNormalization()
        self.maxpool = MaxPool2D(2, 2)
        self.conv_2 = Conv2D(16, 4, padding="valid", activation="relu")
        self.bn2 = BatchNormalization()

    def call(self, x):
        x = self.maxpool(self.bn1(self.conv_1(x)))
        return self.maxpool(self.bn2(self.conv_2(x)))

# run: FeatureExtractor() on (2, 28, 28, 1)
