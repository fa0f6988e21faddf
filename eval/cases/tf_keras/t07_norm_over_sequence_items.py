# source: tensorflow/tensorflow#14353 — batch_norm with reuse=True applied to every item of a sequence; the variance goes wrong
# One BatchNormalization normalizes each of the sequence items in a Python loop.
import tf_keras as keras
from tf_keras import layers


class PerItem(keras.Model):
    def __init__(self, items=3):
        super().__init__()
        self.items = items
        self.bn = layers.BatchNormalization(momentum=0.6)
        self.fc = layers.Dense(4)
        self.concat = layers.Concatenate()

    def call(self, sequence):
        normalized = []
        for i in range(self.items):
            normalized.append(self.fc(self.bn(sequence[:, i, :])))  # expect: LL002
        return self.concat(normalized)

# run: PerItem() on (2, 3, 5)
