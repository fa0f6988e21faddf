# source: calmiLovesAI/Basic_CNNs_TensorFlow2#13 — "[DenseBlock] creating layers inside 'call' function in a custom layer is not proper"
import keras
from keras import layers, ops


class BottleNeck(keras.layers.Layer):
    def __init__(self, growth_rate):
        super().__init__()
        self.bn = layers.BatchNormalization()
        self.conv = layers.Conv2D(growth_rate, 3, padding="same")

    def call(self, x, training=None):
        return self.conv(ops.relu(self.bn(x, training=training)))


class DenseBlock(keras.layers.Layer):
    def __init__(self, num_layers=2, growth_rate=4):
        super().__init__()
        self.num_layers = num_layers
        self.growth_rate = growth_rate

    def call(self, x, training=None):
        features = [x]
        for _ in range(self.num_layers):
            y = BottleNeck(self.growth_rate)(ops.concatenate(features, axis=-1), training=training)  # expect: LL005
            features.append(y)
        return ops.concatenate(features, axis=-1)

# run: DenseBlock() on (2, 8, 8, 3)
