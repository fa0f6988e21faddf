"""Real models shared by the runtime tests (tracer, HTML report): built from whichever Keras module is
given, so the same seed-article model serves Keras 3 and tf_keras."""

from __future__ import annotations

from typing import Any


def keras_article(keras: Any, fixed: bool = False) -> Any:
    """The seed article's model: Conv2D(6,4) -> BN -> MaxPool -> Conv2D(16,4) -> the same BN (or, fixed,
    a second BN) -> MaxPool. `training` is passed through, for tf_keras's statistics tests."""
    layers = keras.layers

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv1 = layers.Conv2D(6, 4)
            self.bn = layers.BatchNormalization()
            self.pool = layers.MaxPooling2D(2, 2)
            self.conv2 = layers.Conv2D(16, 4)
            self.bn2 = layers.BatchNormalization() if fixed else self.bn

        def call(self, x, training=None):
            x = self.pool(self.bn(self.conv1(x), training=training))
            return self.pool(self.bn2(self.conv2(x), training=training))

    return Net()
