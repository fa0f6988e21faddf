# source: ageron/handson-ml2#440 — a custom training loop whose step creates a layer: fresh weights at every step (tf_keras, eager)
import tf_keras as keras
from tf_keras import layers


def build_encoder():
    return keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16, activation="relu")])


def train_step(model, x):
    classifier = layers.Dense(3, activation="softmax")  # expect: LL005
    return classifier(model(x))


class Loop:
    def __init__(self):
        self.model = build_encoder()

    def __call__(self, x):
        return train_step(self.model, x)

# run: Loop() on (4, 8)
