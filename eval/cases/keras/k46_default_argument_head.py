# source: nerfstudio-project/nerfstudio#2197 — a layer as a default argument is built once and shared by every instance (Keras 3)
import keras
from keras import layers


class Field(keras.layers.Layer):
    def __init__(self, width=8, head=layers.Dense(3)):
        super().__init__()
        self.trunk = layers.Dense(width, activation="relu")
        self.head = head

    def call(self, x):
        return self.head(self.trunk(x))


class NeRF(keras.Model):
    def __init__(self):
        super().__init__()
        self.coarse = Field()
        self.fine = Field()

    def call(self, x):
        coarse = self.coarse(x)
        fine = self.fine(x)  # expect: LL003
        return coarse + fine

# run: NeRF() on (2, 8)
