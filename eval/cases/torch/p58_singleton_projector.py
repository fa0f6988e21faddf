# source: lucidrains/vit-pytorch vit_pytorch/dino.py (`@singleton('projector')`) — a projector built on the first call, kept on the instance
# expect-none
# The decorator stores the first result with setattr(self, key, ...) and returns it afterwards: the
# layer is built once and registered (nn.Module.__setattr__), not rebuilt on every pass.
from functools import wraps

import torch.nn as nn


def singleton(cache_key):
    def inner_fn(fn):
        @wraps(fn)
        def wrapper(self, *args, **kwargs):
            instance = getattr(self, cache_key)
            if instance is not None:
                return instance
            instance = fn(self, *args, **kwargs)
            setattr(self, cache_key, instance)
            return instance
        return wrapper
    return inner_fn


class Learner(nn.Module):
    def __init__(self, width=8, output_dim=4):
        super().__init__()
        self.net = nn.Linear(width, width)
        self.output_dim = output_dim
        self.projector = None

    @singleton("projector")
    def _get_projector(self, hidden):
        return nn.Linear(hidden.shape[-1], self.output_dim)

    def forward(self, x):
        hidden = self.net(x)
        return self._get_projector(hidden)(hidden)

# run: Learner() on (2, 8)
