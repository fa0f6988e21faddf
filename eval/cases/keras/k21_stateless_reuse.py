# source: tensorflow/tensorflow#32682 — the thread's MaxPool2D layer object is reused at every stage, which is fine
# expect-none
# Pooling, activation and dropout keep no per-feature state: one instance serves any channel count.
import keras
from keras import layers


class Stages(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv1 = layers.Conv2D(32, 3, padding="same")
        self.conv2 = layers.Conv2D(64, 3, padding="same")
        self.pool = layers.MaxPool2D(2, 2)
        self.act = layers.Activation("relu")
        self.drop = layers.Dropout(0.2)

    def call(self, x):
        x = self.drop(self.pool(self.act(self.conv1(x))))
        x = self.drop(self.pool(self.act(self.conv2(x))))
        return x

# run: Stages() on (2, 16, 16, 3)
