# Functional API: one Dense projection shared by two inputs of equal width (intended weight sharing,
# reported only with --select LL003), and one BatchNormalization shared by both branches (LL002).
import keras
from keras import layers


def build_model():
    query = keras.Input(shape=(12,))
    document = keras.Input(shape=(12,))
    project = layers.Dense(8)
    norm = layers.BatchNormalization()
    q = norm(project(query))
    d = norm(project(document))  # LL002: the two branches share moving mean and variance
    return keras.Model([query, document], layers.Dot(axes=1)([q, d]))

# run: build_model() on (2, 12); (2, 12)
