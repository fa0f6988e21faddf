# source: datawhalechina/torch-rechub#24 — "Default argument value is mutable": a layer built as a default is shared by every instance (tf_keras)
import tf_keras as keras
from tf_keras import layers


class Tower(layers.Layer):
    def __init__(self, units=8, norm=layers.BatchNormalization()):
        super().__init__()
        self.fc = layers.Dense(units)
        self.norm = norm

    def call(self, x):
        return self.norm(self.fc(x))


class TwoTower(keras.Model):
    def __init__(self):
        super().__init__()
        self.user = Tower()
        self.item = Tower()

    def call(self, inputs):
        user, item = inputs
        u = self.user(user)
        v = self.item(item)  # expect: LL002
        return keras.backend.sum(u * v, axis=-1)

# run: TwoTower() on (4, 5); (4, 7)
