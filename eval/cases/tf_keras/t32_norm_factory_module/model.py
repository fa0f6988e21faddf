# source: ginobilinie/medSynthesisV1#18 — the first convolution's norm applied again after the second (tf_keras, the norm made by a factory in another module)
import tf_keras as keras
from tf_keras import layers

from ._norms import make_norm


class Stem(keras.Model):
    def __init__(self, width=8):
        super().__init__()
        self.conv1 = layers.Conv2D(width, 3, padding="same")
        self.conv2 = layers.Conv2D(width, 3, padding="same")
        self.norm = make_norm()

    def call(self, x):
        x = self.norm(self.conv1(x))
        return self.norm(self.conv2(x))  # expect: LL002

# run: Stem() on (2, 8, 8, 3)
