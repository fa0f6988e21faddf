# source: keras-team/keras-core#707 — a residual projection created in build() only when the widths differ
# expect-none
# Creating sub-layers in build() is allowed; nothing is created in call().
import keras
from keras import layers


class ResnetBlock(layers.Layer):
    def __init__(self, output_dim=8):
        super().__init__()
        self.output_dim = output_dim
        self.norm1 = layers.GroupNormalization(groups=2, epsilon=1e-5)
        self.conv1 = layers.Conv2D(output_dim, 3, padding="same")
        self.norm2 = layers.GroupNormalization(groups=4, epsilon=1e-5)
        self.conv2 = layers.Conv2D(output_dim, 3, padding="same")

    def build(self, input_shape):
        if input_shape[-1] != self.output_dim:
            self.residual_projection = layers.Conv2D(self.output_dim, 1)
        else:
            self.residual_projection = layers.Identity()

    def call(self, inputs):
        x = self.conv1(keras.activations.swish(self.norm1(inputs)))
        x = self.conv2(keras.activations.swish(self.norm2(x)))
        return x + self.residual_projection(inputs)

# run: ResnetBlock() on (2, 8, 8, 4)
