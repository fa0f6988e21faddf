# source: dreamquark-ai/tabnet#76 — a shared block's batch norm is shared by every step (Keras 3, the block handed to each step's constructor)
import keras
from keras import layers


class GLUBlock(keras.layers.Layer):
    def __init__(self, dim):
        super().__init__()
        self.fc = layers.Dense(2 * dim, use_bias=False)
        self.bn = layers.BatchNormalization()

    def call(self, x):
        h = self.bn(self.fc(x))
        a, b = keras.ops.split(h, 2, axis=-1)
        return a * keras.ops.sigmoid(b)


class Step(keras.layers.Layer):
    def __init__(self, shared, dim):
        super().__init__()
        self.shared = shared
        self.specific = GLUBlock(dim)

    def call(self, x):
        return self.specific(self.shared(x))


class Encoder(keras.Model):
    def __init__(self, dim=8, n_steps=3):
        super().__init__()
        shared = GLUBlock(dim)
        self.steps = [Step(shared, dim) for _ in range(n_steps)]  # expect: LL002

    def call(self, x):
        out = 0
        for step in self.steps:
            out = out + step(x)
        return out

# run: Encoder() on (4, 8)
