# source: acids-ircam/ddsp_pytorch#37 — "Do MLPs share weight by accident?" (the list-multiplication pattern, Keras version)
import keras
from keras import layers


class InputMLPs(keras.Model):
    def __init__(self, hidden=16):
        super().__init__()
        self.in_mlps = [layers.Dense(hidden, activation="relu")] * 2  # expect: LL004
        self.out = layers.Dense(4)

    def call(self, inputs):
        pitch, loudness = inputs
        hidden = [self.in_mlps[0](pitch), self.in_mlps[1](loudness)]
        return self.out(hidden[0] + hidden[1])

# run: InputMLPs() on (2, 1); (2, 1)
