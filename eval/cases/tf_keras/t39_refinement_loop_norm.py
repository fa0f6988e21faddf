# source: huggingface/diffusers models/transformers/transformer_rfd4_proteina.py — recycling: the output fed back through the same norm (tf_keras)
# Designed sharing: each pass refines the previous one with the same block (LL003, looks intended).
import tf_keras as keras
from tf_keras import layers


class Recycler(keras.Model):
    def __init__(self, dim=16, cycles=3):
        super().__init__()
        self.norm = layers.LayerNormalization()
        self.proj = layers.Dense(dim)
        self.cycles = cycles

    def call(self, x):
        previous = x
        for _ in range(self.cycles):
            previous = x + self.proj(self.norm(previous))  # expect: LL003
        return previous

# run: Recycler() on (2, 5, 16)
