# source: tensorflow/tensorflow#27120 — "tf.function-decorated function tried to create variables on non-first call"
# expect-raise
import tensorflow as tf
import tf_keras as keras
from tf_keras import layers


def build_encoder():
    return keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16, activation="relu")])


@tf.function
def predict_step(model, x):
    head = layers.Dense(2)  # expect: LL005
    return head(model(x))


class Predictor:
    def __init__(self):
        self.encoder = build_encoder()

    def __call__(self, x):
        return predict_step(self.encoder, x)

# run: Predictor() on (4, 8)
