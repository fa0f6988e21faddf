"""Issue 14's attribute-alias road (eval/README.md "Known misses", p81): `self.k_norm = self.q_norm`,
replaced by its own instance only under a flag whose default is False, is the alias in the model its
defaults build; with a default of True the model holds two norms."""

from __future__ import annotations

from layerlint.static.checker import Selection, check_source

ALL = Selection(select=("ALL",))

ATTENTION = """\
import torch.nn as nn


class QKNorm(nn.Module):
    def __init__(self, dim=16, separate_k_norm={default}):
        super().__init__()
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.q_norm = nn.{norm}(dim)
        self.k_norm = self.q_norm
        if separate_k_norm:
            self.k_norm = nn.{norm}(dim)

    def forward(self, x):
        q = self.q_norm(self.q(x))
        k = self.k_norm(self.k(x))
        return q + k
"""


def _found(source: str) -> set[tuple[int, str]]:
    return {(d.span.line, d.code) for d in check_source(source, "model.py", ALL) if d.code != "LL003"}


def test_alias_kept_by_a_flag_defaulting_false_is_shared():
    assert _found(ATTENTION.format(default="False", norm="LayerNorm")) == {(16, "LL002")}
    assert _found(ATTENTION.format(default="False", norm="BatchNorm1d")) == {(16, "LL002")}


def test_alias_replaced_by_a_flag_defaulting_true_is_not_shared():
    assert _found(ATTENTION.format(default="True", norm="LayerNorm")) == set()
    assert _found(ATTENTION.format(default="True", norm="BatchNorm1d")) == set()
