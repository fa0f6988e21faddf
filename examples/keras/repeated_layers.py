# `[layer] * n` repeats one object: a "stack of three Dense layers" is one Dense applied three times.
import keras
from keras import layers


class Stack(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [layers.Dense(8, activation="relu")] * 3  # LL004: one instance, three slots
        self.head = layers.Dense(1)

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(x)

# run: Stack() on (2, 8)
