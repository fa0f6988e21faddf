# source: IDEA-Research/DAB-DETR#17 — `[layer for _ in range(n)]` is a shallow copy: every slot is the same layer
import tf_keras as keras
from tf_keras import layers


class Decoder(keras.Model):
    def __init__(self, depth=3):
        super().__init__()
        layer = layers.Dense(12, activation="relu")
        self.decoder_layers = [layer for _ in range(depth)]  # expect: LL004

    def call(self, x):
        for layer in self.decoder_layers:
            x = layer(x)
        return x

# run: Decoder() on (2, 12)
