# source: lucidrains/perceiver-pytorch#58 — "Weight sharing implementation": cached builders give every depth the same attention blocks
# expect-none
# Weight sharing across depth is the Perceiver's design; the blocks are built through a cache.
import torch.nn as nn


def cache_fn(f):
    cache = None

    def cached_fn(*args, _cache=True, **kwargs):
        nonlocal cache
        if not _cache:
            return f(*args, **kwargs)
        if cache is None:
            cache = f(*args, **kwargs)
        return cache
    return cached_fn


class PreNormFF(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.ff = nn.Linear(dim, dim)

    def forward(self, x):
        return self.ff(self.norm(x))


class Perceiver(nn.Module):
    def __init__(self, dim=16, depth=3):
        super().__init__()
        get_block = cache_fn(lambda: PreNormFF(dim))
        self.layers = nn.ModuleList()
        for i in range(depth):
            self.layers.append(get_block(_cache=i > 0))

    def forward(self, x):
        for block in self.layers:
            x = block(x) + x
        return x

# run: Perceiver() on (2, 4, 16)
