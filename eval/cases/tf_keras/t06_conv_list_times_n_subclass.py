# source: keras-team/keras#12948 — a list of Conv2D layers built with `* n`, looped over (subclassed tf.keras model)
# The widths agree (8 -> 8), so it runs, but the "stack of four convolutions" is one convolution applied four times.
import tf_keras as keras
from tf_keras import layers


class Stack(keras.Model):
    def __init__(self, fm=8, n=4):
        super().__init__()
        self.stem = layers.Conv2D(fm, 3, padding="same")
        self.convs = [layers.Conv2D(fm, 3, padding="same")] * n  # expect: LL004
        self.act = layers.Activation("relu")

    def call(self, x):
        x = self.stem(x)
        for conv in self.convs:
            x = self.act(conv(x))
        return x

# run: Stack() on (2, 8, 8, 1)
