# source: tensorflow/tensorflow#30091 — "Cannot reuse the self.Dense()/Conv2D defined in __init__ in call"
# The subclassed model calls self.conv3 twice; the second input has 64 channels, the first 32.
import keras
from keras import layers


class SmallNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv1 = layers.Conv2D(32, 3, padding="same")
        self.conv3 = layers.Conv2D(64, 3, padding="same")
        self.activ = layers.Activation("relu")
        self.flat = layers.Flatten()
        self.out = layers.Dense(10)

    def call(self, x):
        x = self.activ(self.conv1(x))
        x = self.conv3(x)
        x = self.activ(x)
        x = self.conv3(x)  # expect: LL001
        return self.out(self.flat(x))

# run: SmallNet() on (2, 12, 12, 3)
