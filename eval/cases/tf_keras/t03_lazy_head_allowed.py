# source: keras-team/keras-io#647 — "Keras layer state can be created as late as first call()" (tf.keras)
# expect-none
# tf.keras tracks a sub-layer assigned to self on the first call; this is the documented idiom there.
import tf_keras as keras
from tf_keras import layers


class LazyHead(keras.Model):
    def __init__(self, classes=3):
        super().__init__()
        self.classes = classes
        self.head = None

    def call(self, x):
        if self.head is None:
            self.head = layers.Dense(self.classes)
        return self.head(x)

# run: LazyHead() on (2, 8)
