# source: https://keras.io/api/layers/recurrent_layers/gru_cell/ — a cell is meant to be stepped over the sequence, one call per timestep
# Designed sharing: the recurrence applies one GRUCell at every step.
# expect-none
import keras
from keras import layers, ops


class Decoder(keras.Model):
    def __init__(self, units=8, steps=3):
        super().__init__()
        self.cell = layers.GRUCell(units)
        self.out = layers.Dense(4)
        self.steps = steps
        self.units = units

    def call(self, x):
        state = [ops.zeros((ops.shape(x)[0], self.units))]
        outputs = []
        for _ in range(self.steps):
            h, state = self.cell(x, state)
            outputs.append(self.out(h))
        return ops.stack(outputs, axis=1)

# run: Decoder() on (2, 5)
