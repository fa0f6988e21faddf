# source: keras-team/keras-core#820 — Keras 3 locks a layer's state when build() ends, not before
# source: keras-team/keras-io#647 — tf.keras allowed creating layer state as late as the first call()
# expect-none
# The same lazy head as in k08, but the model also owns an unbuilt Dense: Keras 3 builds the model by running
# call() once, so the head is created while the model is still being built, and it is tracked and trained.
import keras
from keras import layers


class LazyClassifier(keras.Model):
    def __init__(self, classes=3):
        super().__init__()
        self.classes = classes
        self.body = layers.Dense(16, activation="relu")
        self.head = None

    def call(self, x):
        x = self.body(x)
        if self.head is None:
            self.head = layers.Dense(self.classes)
        return self.head(x)

# run: LazyClassifier() on (2, 8)
