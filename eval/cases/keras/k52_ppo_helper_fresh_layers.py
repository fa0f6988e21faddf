# source: liziniu/RL-PPO-Keras#2 — "shared layers": the helper builds new layers at each call, so actor and critic share nothing
# expect-none
import keras
from keras import layers


def shared_network_structure(state):
    x = layers.Dense(16, activation="relu")(state)
    return layers.Dense(16, activation="relu")(x)


def build_actor_critic():
    state = keras.Input(shape=(8,))
    policy = layers.Dense(2, activation="softmax")(shared_network_structure(state))
    value = layers.Dense(1)(shared_network_structure(state))
    return keras.Model(state, [policy, value])

# run: build_actor_critic() on (4, 8)
