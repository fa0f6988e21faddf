# source: kanezaki/pytorch-unsupervised-segmentation#1 — one batch norm for every conv layer (tf_keras, appended in a loop from one hoisted instance)
import tf_keras as keras
from tf_keras import layers


class SegNet(keras.Model):
    def __init__(self, channels=8, n_conv=3):
        super().__init__()
        self.stem = layers.Conv2D(channels, 3, padding="same")
        self.convs = []
        self.norms = []
        norm = layers.BatchNormalization()
        for _ in range(n_conv):
            self.convs.append(layers.Conv2D(channels, 3, padding="same"))
            self.norms.append(norm)

    def call(self, x):
        x = self.stem(x)
        for conv, norm in zip(self.convs, self.norms):
            x = keras.activations.relu(norm(conv(x)))  # expect: LL002
        return x

# run: SegNet() on (2, 8, 8, 3)
