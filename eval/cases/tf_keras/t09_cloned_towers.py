# source: keras-team/keras#11927 — Siamese towers; here the tower is cloned per input instead of shared
# expect-none
# clone_model builds new layers with new weights and new statistics: nothing is shared.
import tf_keras as keras
from tf_keras import layers


class TwinTowers(keras.Model):
    def __init__(self):
        super().__init__()
        base = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(8), layers.BatchNormalization()])
        self.towers = [keras.models.clone_model(base) for _ in range(2)]
        self.concat = layers.Concatenate()

    def call(self, inputs):
        left, right = inputs
        return self.concat([self.towers[0](left), self.towers[1](right)])

# run: TwinTowers() on (2, 6); (2, 6)
