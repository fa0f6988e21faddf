# source: tensorflow/tensorflow#33305 — feature-pyramid heads; here one lateral conv and one norm per level, held in dicts
# expect-none
import keras
from keras import layers


class Pyramid(keras.Model):
    def __init__(self, width=8):
        super().__init__()
        self.levels = ("p3", "p4", "p5")
        self.lateral = {name: layers.Conv2D(width, 1) for name in self.levels}
        self.norms = {name: layers.BatchNormalization() for name in self.levels}
        self.pool = layers.MaxPool2D(2)

    def call(self, x):
        outputs = []
        for name in self.levels:
            outputs.append(self.norms[name](self.lateral[name](x)))
            x = self.pool(x)
        return outputs

# run: Pyramid() on (2, 16, 16, 4)
