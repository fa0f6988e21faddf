# source: tensorflow/tensorflow#34983 — a layer constructed inside the training step: new weights at every step (Keras 3, run eagerly)
import keras
from keras import layers


def build_backbone():
    return keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16, activation="relu")])


def train_step(model, x):
    head = layers.Dense(2)  # expect: LL005
    return head(model(x))


class Trainer:
    def __init__(self):
        self.model = build_backbone()

    def __call__(self, x):
        return train_step(self.model, x)

# run: Trainer() on (4, 8)
