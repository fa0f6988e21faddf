# source: keras-team/keras#6623 — BatchNormalization inside an autoregressive model, applied at every step
# One BatchNormalization normalizes every generated step: its moving statistics mix all steps.
import keras
from keras import layers


class Autoregressive(keras.Model):
    def __init__(self, steps=3, width=8):
        super().__init__()
        self.steps = steps
        self.cell = layers.Dense(width, activation="tanh")
        self.bn = layers.BatchNormalization()

    def call(self, x):
        outputs = []
        for _ in range(self.steps):
            x = self.bn(self.cell(x))  # expect: LL002
            outputs.append(x)
        return outputs

# run: Autoregressive() on (2, 8)
