# source: ginobilinie/medSynthesisV1#18 — the first block's norm used for the second (tf_keras, looked up with getattr and % formatting)
import tf_keras as keras
from tf_keras import layers


class Stem(keras.Model):
    def __init__(self, width=8):
        super().__init__()
        self.conv1 = layers.Conv2D(width, 3, padding="same")
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(width, 3, padding="same")
        self.bn2 = layers.BatchNormalization()

    def stage(self, x, conv_index, bn_index):
        x = getattr(self, "conv%d" % conv_index)(x)
        return getattr(self, "bn%d" % bn_index)(x)

    def call(self, x):
        x = self.stage(x, 1, 1)
        return self.stage(x, 2, 1)  # expect: LL002

# run: Stem() on (2, 8, 8, 3)
