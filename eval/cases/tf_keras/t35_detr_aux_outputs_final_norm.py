# source: huggingface/transformers models/detr/modeling_detr.py (auxiliary_loss) — one decoder norm on every layer's output (tf_keras)
# Designed sharing: the same norm plays the same role for every decoder layer (LL003, looks intended).
import tf_keras as keras
from tf_keras import layers


class Decoder(keras.Model):
    def __init__(self, dim=16, depth=3):
        super().__init__()
        self.decoder_layers = [layers.Dense(dim, activation="relu") for _ in range(depth)]
        self.layernorm = layers.LayerNormalization()

    def call(self, hidden_states):
        intermediate = []
        for layer in self.decoder_layers:
            hidden_states = layer(hidden_states)
            intermediate.append(self.layernorm(hidden_states))  # expect: LL003
        return keras.backend.stack(intermediate, axis=0)

# run: Decoder() on (2, 5, 16)
