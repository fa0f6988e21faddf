# source: keras-team/keras#10046 — the subclassing API example: optional BatchNormalization behind a use_bn flag
# expect-none
import keras
from keras import layers


class SimpleTestModel(keras.Model):
    def __init__(self, use_bn=False, use_dp=False, num_classes=4):
        super().__init__()
        self.use_bn = use_bn
        self.use_dp = use_dp
        self.dense1 = layers.Dense(32, activation="relu")
        self.dense2 = layers.Dense(num_classes, activation="softmax")
        if self.use_dp:
            self.dp = layers.Dropout(0.5)
        if self.use_bn:
            self.bn = layers.BatchNormalization(axis=-1)

    def call(self, inputs):
        x = self.dense1(inputs)
        if self.use_dp:
            x = self.dp(x)
        if self.use_bn:
            x = self.bn(x)
        return self.dense2(x)

# run: SimpleTestModel(use_bn=True, use_dp=True) on (2, 8)
# run: SimpleTestModel() on (2, 8)
