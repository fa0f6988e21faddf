# source: kanezaki/pytorch-unsupervised-segmentation#1 — one batch norm used after every convolution (tf_keras, set with setattr)
import tf_keras as keras
from tf_keras import layers


class SegNet(keras.Model):
    def __init__(self, channels=8, n_conv=2):
        super().__init__()
        self.n_conv = n_conv
        shared_bn = layers.BatchNormalization()
        for i in range(n_conv):
            setattr(self, f"conv{i}", layers.Conv2D(channels, 3, padding="same"))
            setattr(self, f"bn{i}", shared_bn)

    def call(self, x):
        x = self.conv0(x)
        x = self.bn0(x)
        x = self.conv1(x)
        return self.bn1(x)  # expect: LL002

# run: SegNet() on (2, 8, 8, 3)
