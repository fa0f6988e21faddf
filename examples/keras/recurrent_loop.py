# A recurrent block: the same cell refines the state several times. Sharing its weights is the point;
# a normalization inside the loop would share statistics too (see the second model).
import keras
from keras import layers


class Refiner(keras.Model):
    def __init__(self, steps=3):
        super().__init__()
        self.steps = steps
        self.cell = layers.Dense(16, activation="tanh")

    def call(self, x):
        for _ in range(self.steps):
            x = self.cell(x)
        return x


class NormalizedRefiner(keras.Model):
    def __init__(self, steps=3):
        super().__init__()
        self.steps = steps
        self.cell = layers.Dense(16, activation="tanh")
        self.norm = layers.LayerNormalization()

    def call(self, x):
        for _ in range(self.steps):
            x = self.norm(self.cell(x))  # LL002: one LayerNormalization for every step
        return x

# run: Refiner() on (2, 16)
# run: NormalizedRefiner() on (2, 16)
