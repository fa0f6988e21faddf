# source: https://vivek-s.com/Programming/Deep+Learning/Siamese+Network — one base network applied to both images of a pair
# Designed sharing: the siamese towers are one model.
# expect-none
import tf_keras as keras
from tf_keras import layers


def initialize_base_network():
    image = keras.Input(shape=(6, 6))
    x = layers.Flatten()(image)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    return keras.Model(image, layers.Dense(16, activation="relu")(x))


def build_siamese():
    base = initialize_base_network()
    left = keras.Input(shape=(6, 6))
    right = keras.Input(shape=(6, 6))
    a = base(left)
    b = base(right)
    distance = layers.Lambda(lambda t: keras.backend.sum(keras.backend.abs(t[0] - t[1]), axis=1, keepdims=True))([a, b])
    return keras.Model([left, right], distance)

# run: build_siamese() on (2, 6, 6); (2, 6, 6)
