# source: keras-team/keras-hub src/models/xlnet/xlnet_encoder.py — content and query streams through one dropout and one norm
# Designed sharing: XLNet's two-stream attention sends the content stream and the query stream
# through the same output projection, dropout and LayerNormalization. The same chain, two inputs.
import keras
from keras import layers


class TwoStream(layers.Layer):
    def __init__(self, width=16):
        super().__init__()
        self.proj = layers.Dense(width)
        self.dropout = layers.Dropout(0.1)
        self.layer_norm = layers.LayerNormalization()

    def call(self, inputs):
        content, query = inputs
        attn_h = self.dropout(self.proj(content))
        output_h = self.layer_norm(attn_h + content)
        attn_g = self.dropout(self.proj(query))  # expect: LL003
        output_g = self.layer_norm(attn_g + query)  # expect: LL003
        return output_h + output_g

# run: TwoStream() on (2, 3, 16); (2, 3, 16)
