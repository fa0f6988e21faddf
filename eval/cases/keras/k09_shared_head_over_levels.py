# source: tensorflow/tensorflow#33305 — reusing one detection head on every FPN level (RetinaNet-style, intended)
# expect-none
# The head's convolutions are built once and applied to three pyramid levels of equal width: weight sharing by design.
import keras
from keras import layers


class SharedHead(keras.Model):
    def __init__(self, width=16, anchors=3, classes=2):
        super().__init__()
        self.conv1 = layers.Conv2D(width, 3, padding="same", activation="relu")
        self.conv2 = layers.Conv2D(width, 3, padding="same", activation="relu")
        self.out = layers.Conv2D(anchors * (classes + 4), 3, padding="same")
        self.down = layers.Conv2D(width, 3, strides=2, padding="same")

    def head(self, feature):
        return self.out(self.conv2(self.conv1(feature)))

    def call(self, p3):
        p4 = self.down(p3)
        p5 = self.down(p4)
        return [self.head(level) for level in (p3, p4, p5)]

# run: SharedHead() on (2, 16, 16, 16)
