# source: liziniu/RL-PPO-Keras#2 — "shared layers" between actor and critic (here one list of layer objects spread into two Sequentials)
import torch.nn as nn


class ActorCritic(nn.Module):
    def __init__(self, obs=8, hidden=16, actions=2):
        super().__init__()
        trunk = [nn.Linear(obs, hidden), nn.BatchNorm1d(hidden), nn.ReLU()]
        self.actor = nn.Sequential(*trunk, nn.Linear(hidden, actions))
        self.critic = nn.Sequential(*trunk, nn.Linear(hidden, 1))

    def forward(self, x):
        logits = self.actor(x)
        value = self.critic(x)  # expect: LL002
        return logits, value

# run: ActorCritic() on (4, 8)
