# source: tensorflow/models official/projects/roformer/roformer_encoder_block.py — `if key_value is None: key_value = input_tensor` after one norm for both
# Designed sharing: the key/value input defaults to the query input, so one LayerNormalization for
# both keeps the self-attention case exact. LL003 info, not an LL002 warning.
import keras
from keras import layers


class Block(keras.layers.Layer):
    def __init__(self, width=16):
        super().__init__()
        self.norm = layers.LayerNormalization()
        self.attention = layers.MultiHeadAttention(2, width // 2)

    def call(self, inputs):
        input_tensor, key_value = inputs
        input_tensor = self.norm(input_tensor)
        if key_value is not None:
            key_value = self.norm(key_value)  # expect: LL003
        if key_value is None:
            key_value = input_tensor
        return self.attention(query=input_tensor, value=key_value)

# run: Block() on (2, 3, 16); (2, 5, 16)
