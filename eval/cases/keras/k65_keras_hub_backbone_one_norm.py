# source: allenai/OLMo#222 — one layer norm for the attention and the feed-forward (Keras 3, a functional keras-hub Backbone subclass)
import keras
from keras import layers
from keras_hub.models import Backbone


class TinyBackbone(Backbone):
    def __init__(self, dim=16, **kwargs):
        inputs = keras.Input(shape=(5, dim))
        norm = layers.LayerNormalization()
        x = layers.Add()([inputs, layers.Dense(dim)(norm(inputs))])
        x = layers.Add()([x, layers.Dense(dim)(norm(x))])  # expect: LL002
        super().__init__(inputs=inputs, outputs=x, **kwargs)

# run: TinyBackbone() on (2, 5, 16)
