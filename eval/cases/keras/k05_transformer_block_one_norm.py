# source: allenai/OLMo#222 — "Sequential Olmo block should not have shared layernorm" (Keras port of the pattern)
# The pre-norm block normalizes the attention input and the feed-forward input with the same LayerNormalization.
import keras
from keras import layers


class SequentialBlock(layers.Layer):
    def __init__(self, d_model=16, heads=2):
        super().__init__()
        self.norm = layers.LayerNormalization()
        self.attention = layers.MultiHeadAttention(num_heads=heads, key_dim=d_model // heads)
        self.ff_proj = layers.Dense(4 * d_model, activation="gelu")
        self.ff_out = layers.Dense(d_model)
        self.dropout = layers.Dropout(0.1)

    def call(self, x):
        h = self.norm(x)
        x = x + self.dropout(self.attention(h, h))
        x = x + self.dropout(self.ff_out(self.ff_proj(self.norm(x))))  # expect: LL002
        return x

# run: SequentialBlock() on (2, 5, 16)
