"""Issue 15: findings people can trust. The severity of a shared normalization follows what it
shares (point 1) and the role each call plays (point 2); intent written in the code (point 3),
unreachable calls (point 4) and one finding per bug (point 5) are honoured. Every test checks
source text only: nothing is imported or run."""

from __future__ import annotations

import textwrap

import pytest

from layerlint import Selection, Severity, check_source
from layerlint.catalog import lookup
from layerlint.cli import main
from layerlint.static.verdicts import sharing_kind

ALL = Selection(select=("ALL",))


def found(source: str) -> list[tuple[int, str, str]]:
    return [(d.span.line, d.code, d.severity.label) for d in check_source(textwrap.dedent(source), "m.py", ALL)]


def messages(source: str, code: str) -> list[str]:
    return [str(d.message) for d in check_source(textwrap.dedent(source), "m.py", ALL) if d.code == code]


@pytest.mark.parametrize("framework, name, arguments, kind", [
    ("torch", "BatchNorm2d", {}, "statistics"),
    ("torch", "SyncBatchNorm", {}, "statistics"),
    ("torch", "InstanceNorm2d", {"track_running_stats": True}, "statistics"),
    ("torch", "InstanceNorm2d", {}, None),
    ("torch", "BatchNorm2d", {"track_running_stats": False}, "weights"),
    ("torch", "LayerNorm", {}, "weights"),
    ("torch", "GroupNorm", {}, "weights"),
    ("torch", "RMSNorm", {}, "weights"),
    ("keras", "BatchNormalization", {}, "statistics"),
    ("keras", "LayerNormalization", {}, "weights"),
    ("keras", "GroupNormalization", {}, "weights"),
])
def test_1_sharing_kind_is_statistics_only_for_running_statistics(framework, name, arguments, kind):
    assert sharing_kind(lookup(framework, name, arguments), composite=False) == kind


LOOP = """\
import torch.nn as nn

class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
        self.norm = nn.{norm}

    def forward(self, x):
        outs = []
        for layer in self.layers:
            x = layer(x)
            outs.append(self.norm(x))
        return outs
"""


def test_1_running_statistics_in_a_loop_stay_a_warning_an_affine_norm_is_info():
    assert found(LOOP.format(norm="BatchNorm1d(8)")) == [(13, "LL002", "warning")]
    assert found(LOOP.format(norm="LayerNorm(8)")) == [(13, "LL003", "info")]
    assert "applied in a loop" in messages(LOOP.format(norm="LayerNorm(8)"), "LL003")[0]


PRE_NORM = """\
import torch.nn as nn

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(8)
        self.attn = nn.Linear(8, 8)
        self.mlp = nn.Linear(8, 8)

    def forward(self, x):
        x = x + self.attn(self.norm(x))
        return x + self.mlp(self.norm(x))
"""


def test_2_norm_before_attention_and_before_mlp_is_an_accident_with_the_inputs_named():
    assert found(PRE_NORM) == [(12, "LL002", "warning")]
    message = messages(PRE_NORM, "LL002")[0]
    assert "different roles" in message and "`self.attn`" in message


def test_2_query_and_memory_of_one_attention_are_two_roles():
    source = """\
    import torch.nn as nn

    class Cross(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(8)
            self.attn = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, query, memory):
            q = self.norm(query)
            m = self.norm(memory)
            return self.attn(q, m, m)[0]
    """
    assert found(source) == [(11, "LL002", "warning")]


@pytest.mark.parametrize("body, reason", [
    # the same producer on two streams (XLNet's content and query streams)
    ("h = self.norm(self.proj(a))\n        g = self.norm(self.proj(b))\n        return h + g",
     "every call normalizes what `self.proj` produced"),
    # re-applied to its own output (BLIP: the sequence, then its first token)
    ("h = self.norm(self.proj(a))\n        g = self.norm(h[:, 0])\n        return h, g",
     "re-applied to its own output"),
    # every output feeds the same block in the same slot (one predictor after every stage)
    ("h = self.norm(a)\n        g = self.norm(self.proj(b))\n        return self.head(h) + self.head(g)",
     "every call feeds `self.head`"),
    # adaptive normalization: each stream scaled by its own chunk of one projection
    ("s1, s2 = self.cond(b).chunk(2, dim=-1)\n        return self.norm(a) * s1, self.norm(b) * s2",
     "adaptive normalization"),
])
def test_2_calls_in_the_same_role_are_designed_sharing_with_the_reason_named(body, reason):
    source = f"""\
import torch.nn as nn

class Two(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(8)
        self.proj = nn.Linear(8, 8)
        self.head = nn.Linear(8, 2)
        self.cond = nn.Linear(8, 16)

    def forward(self, a, b):
        {body}
"""
    assert not [finding for finding in found(source) if finding[1] == "LL002"]
    notes = [m for m in messages(source, "LL003") if "`self.norm`" in m]
    assert len(notes) == 1 and reason in notes[0] and notes[0].endswith("looks intended")


def test_2_one_helper_applied_to_two_streams_is_designed():
    source = """\
    import keras
    from keras import layers

    class TwoStream(layers.Layer):
        def __init__(self):
            super().__init__()
            self.norm = layers.LayerNormalization()
            self.dense = layers.Dense(8)

        def post(self, x):
            return self.norm(x * 2.0)

        def call(self, h, g):
            return self.dense(self.post(h) + self.post(g))
    """
    notes = [m for m in messages(source, "LL003") if "`self.norm`" in m]
    assert not messages(source, "LL002") and "one helper (`self.post`)" in notes[0]


@pytest.mark.parametrize("where", ["construction", "call"])
def test_3_a_comment_saying_shared_moves_even_running_statistics_to_info(where):
    comment = "  # shared on purpose"
    source = f"""\
import torch.nn as nn

class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(8, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8){comment if where == "construction" else ""}

    def forward(self, x):
        x = self.bn(self.a(x))
        return self.bn(self.b(x)){comment if where == "call" else ""}
"""
    assert found(source) == [(12, "LL003", "info")]
    assert "a comment on the line says the sharing is intended" in messages(source, "LL003")[0]


def test_3_a_flag_whose_other_arm_deep_copies_makes_a_repeated_container_info():
    source = """\
    import copy
    import torch.nn as nn

    class Heads(nn.Module):
        def __init__(self, n=3, tie_heads=False):
            super().__init__()
            head = nn.Linear(8, 4)
            if tie_heads:
                self.heads = nn.ModuleList([head] * n)
            else:
                self.heads = nn.ModuleList([copy.deepcopy(head) for _ in range(n)])
    """
    assert found(source) == [(9, "LL003", "info")]
    assert "(`tie_heads`)" in messages(source, "LL003")[0]


def test_4_a_call_under_is_not_none_right_after_none_cannot_run():
    source = """\
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.BatchNorm1d(8)

        def forward(self, x):
            kv = None
            x = self.norm(x)
            if kv is not None:
                kv = self.norm(kv)
            return x
    """
    assert found(source) == []


def test_4_conditional_expressions_on_one_flag_are_exclusive():
    source = """\
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self, post=False):
            super().__init__()
            self.post = post
            self.norm = nn.BatchNorm1d(8)
            self.lin = nn.Linear(8, 8)

        def forward(self, x):
            h = x if self.post else self.norm(x)
            h = self.lin(h)
            return h if not self.post else self.norm(h)
    """
    assert found(source) == []


def test_5_a_list_spread_into_sequential_is_one_finding():
    source = """\
    import torch.nn as nn

    blocks = [nn.Linear(8, 8)] * 3
    model = nn.Sequential(*blocks)
    """
    diagnostics = [d for d in check_source(textwrap.dedent(source), "m.py", ALL) if d.code == "LL004"]
    assert [d.span.line for d in diagnostics] == [3]


def test_5_a_builder_called_at_module_level_does_not_report_its_reuse_again():
    source = """\
    import keras
    from keras import layers

    def build():
        inputs = keras.Input(shape=(6,))
        norm = layers.BatchNormalization()
        a = norm(layers.Dense(6)(inputs))
        b = norm(layers.Dense(6)(inputs))
        return keras.Model(inputs, layers.Add()([a, b]))

    model = build()
    """
    assert found(source) == [(8, "LL002", "warning")]


def test_a_test_function_calling_one_layer_repeatedly_is_not_a_model():
    source = """\
    from keras import layers

    def test_batchnorm_updates_statistics():
        layer = layers.BatchNormalization()
        layer(1.0, training=True)
        layer(2.0, training=True)
    """
    assert found(source) == []


def test_7_tf_keras_lazy_builder_method_is_the_keras2_idiom():
    source = """\
    import tf_keras

    class Attention(tf_keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self._built_from_signature = False
            self._dense = []

        def _build_from_signature(self, query):
            self._dense.append(tf_keras.layers.Dense(8))

        def call(self, query):
            if not self._built_from_signature:
                self._build_from_signature(query)
            return query
    """
    assert [code for _, code, _ in found(source)] == []


def test_explain_ll002_says_when_it_stays_quiet(capsys):
    assert main(["explain", "LL002", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "When it stays quiet." in out and "same role" in out and "# shared on purpose" in out
    assert Severity.WARNING.label in out


def test_1_a_user_class_deriving_from_a_framework_norm_shares_what_its_base_shares():
    source = """\
    import torch.nn as nn

    class FrozenBN(nn.BatchNorm2d):
        pass

    class LayerNorm2d(nn.LayerNorm):
        def forward(self, x):
            return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(8, 8, 3, padding=1)
            self.c2 = nn.Conv2d(8, 8, 3, padding=1)
            self.bn = FrozenBN(8)
            self.ln = LayerNorm2d(8)

        def forward(self, x):
            x = self.bn(self.c1(x))
            x = self.bn(self.c2(x))
            for _ in range(2):
                x = self.ln(x)
            return x
    """
    assert [f for f in found(source) if f[1] != "LL003" or f[0] == 22] == [(20, "LL002", "warning"), (22, "LL003", "info")]


@pytest.mark.parametrize("comment, intended", [
    ("# shared on purpose", True),
    ("# tied with the encoder", True),
    ("# one norm for both streams, by design", True),
    ("# LL002: the two branches share moving mean and variance", False),
    ("# bug: should not be shared", False),
    ("# share the output", False),
])
def test_3_a_comment_states_intent_only_when_it_says_so(comment, intended):
    from layerlint.static.rules._roles import says_intended

    assert says_intended(f"x = self.norm(x)  {comment}") is intended
