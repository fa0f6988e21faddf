# source: liziniu/RL-PPO-Keras#2 — "shared layers" between actor and critic: one list of layer objects in two Sequential models (tf_keras)
import tf_keras as keras
from tf_keras import layers


class ActorCritic(keras.Model):
    def __init__(self, hidden=16):
        super().__init__()
        trunk = [layers.Dense(hidden), layers.BatchNormalization(), layers.ReLU()]
        self.actor = keras.Sequential(trunk + [layers.Dense(2)])
        self.critic = keras.Sequential(trunk + [layers.Dense(1)])

    def call(self, x):
        logits = self.actor(x)
        value = self.critic(x)  # expect: LL002
        return logits, value

# run: ActorCritic() on (4, 8)
