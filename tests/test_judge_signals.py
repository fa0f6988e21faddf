"""Issue 15, second round: structural signals that tell designed sharing from the accidents the
issue names, found by triaging eval/realworld (each test names the library whose code showed it),
and point 6, containers that carry shapes. Static only: nothing is imported or run."""

from __future__ import annotations

import textwrap

from layerlint import Selection, check_source

ALL = Selection(select=("ALL",))


def found(source: str) -> list[tuple[int, str, str]]:
    return sorted((d.span.line, d.code, d.severity.label) for d in check_source(textwrap.dedent(source), "m.py", ALL))


def messages(source: str, code: str) -> list[str]:
    return [str(d.message) for d in check_source(textwrap.dedent(source), "m.py", ALL) if d.code == code]


GHOST_BN = """
    import torch
    import torch.nn as nn

    class GBN(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(8)

        def forward(self, x):
            chunks = x.chunk(4)
            res = []
            for x_ in chunks:
                res.append(self.bn(x_))
            return torch.cat(res, dim=0)
"""


def test_ghost_batch_norm_over_chunks_of_one_input_is_designed():
    """pytorch-tabnet's GBN: one BatchNorm1d over the virtual batches of one batch (one distribution)."""
    assert found(GHOST_BN) == [(14, "LL003", "info")]
    assert "ghost batch normalization" in messages(GHOST_BN, "LL003")[0]


def test_ghost_batch_norm_in_a_comprehension_over_split():
    source = """
        import torch
        import torch.nn as nn

        class GBN(nn.Module):
            def __init__(self):
                super().__init__()
                self.bn = nn.BatchNorm1d(8)

            def forward(self, x):
                return torch.cat([self.bn(part) for part in torch.split(x, 2)], dim=0)
    """
    assert found(source) == [(11, "LL003", "info")]


def test_batch_norm_over_a_list_of_different_tensors_stays_a_warning():
    """Pieces of *different* inputs (pyramid levels) are different distributions: statistics mix."""
    source = """
        import torch.nn as nn

        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.bn = nn.BatchNorm2d(8)

            def forward(self, features):
                return [self.bn(level) for level in features]
    """
    assert found(source) == [(10, "LL002", "warning")]


def test_loop_variable_not_the_input_is_not_a_chunk_loop():
    source = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.bn = nn.BatchNorm1d(8)

            def forward(self, x):
                for _ in x.chunk(2):
                    x = self.bn(x)
                return x
    """
    assert [code for _, code, _ in found(source)] == ["LL002"]


KV_DEFAULT = """
    import torch.nn as nn

    class Aggregate(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(16)

        def forward(self, hidden_states, encoder_hidden_states=None):
            query_states = hidden_states
            kv_states = encoder_hidden_states if encoder_hidden_states is not None else hidden_states
            query_states = query_states.permute(0, 2, 1)
            kv_states = kv_states.permute(0, 2, 1)
            return self.norm(query_states), self.norm(kv_states)
"""


def test_key_value_that_defaults_to_the_query_is_designed():
    """transformers' EfficientLoFTR aggregation: kv_states is hidden_states unless a memory is given."""
    assert found(KV_DEFAULT) == [(14, "LL003", "info")]
    assert "`hidden_states` can be either" in messages(KV_DEFAULT, "LL003")[0]


def test_if_none_then_default_to_the_query_is_designed():
    """tf-models' RoFormer block: `if key_value is None: key_value = input_tensor`."""
    source = """
        import keras
        from keras import layers

        class Block(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.norm = layers.LayerNormalization()

            def call(self, input_tensor, key_value=None):
                input_tensor = self.norm(input_tensor)
                if key_value is not None:
                    key_value = self.norm(key_value)
                if key_value is None:
                    key_value = input_tensor
                return input_tensor + key_value
    """
    assert [(code, severity) for _, code, severity in found(source)] == [("LL003", "info")]


def test_query_and_memory_that_never_stand_in_stay_an_accident():
    """p49: unpacked from one tuple, but neither name is ever a copy of the other."""
    source = """
        import torch.nn as nn

        class Cross(nn.Module):
            def __init__(self):
                super().__init__()
                self.norm = nn.LayerNorm(16)

            def forward(self, inputs):
                query, memory = inputs
                return self.norm(query), self.norm(memory)
    """
    assert found(source) == [(11, "LL002", "warning")]


OPTIONAL_CALL = """
    import torch.nn as nn

    class Decoder(nn.Module):
        def __init__(self, use_task_norm=True):
            super().__init__()
            self.use_task_norm = use_task_norm
            self.layer = nn.Linear(16, 16)
            self.decoder_norm = nn.LayerNorm(16)

        def forward(self, queries, task_token):
            if self.use_task_norm:
                task_token = self.decoder_norm(task_token)
            return self.decoder_norm(self.layer(queries + task_token))
"""


def test_an_extra_call_under_its_own_flag_is_designed():
    """transformers' OneFormer: the task token goes through the decoder norm when use_task_norm is set."""
    assert found(OPTIONAL_CALL) == [(14, "LL003", "info")]
    assert "`self.use_task_norm`" in messages(OPTIONAL_CALL, "LL003")[0]


def test_both_calls_under_one_flag_stay_an_accident():
    source = OPTIONAL_CALL.replace(
        "            return self.decoder_norm(self.layer(queries + task_token))",
        "                return self.decoder_norm(self.layer(queries + task_token))\n"
        "            return task_token")
    assert [code for _, code, _ in found(source)] == ["LL002"]


SINGLETON = """
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
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(8, 8)
            self.projector = None

        @singleton("projector")
        def _get_projector(self, hidden):
            return nn.Linear(hidden.shape[-1], 4)

        def forward(self, x):
            hidden = self.net(x)
            return self._get_projector(hidden)(hidden)
"""


def test_a_projector_cached_on_the_instance_by_a_decorator_is_built_once():
    """vit-pytorch's DINO/ES-ViT/LeJEPA `@singleton('projector')`: four false LL005 warnings before."""
    assert found(SINGLETON) == []


def test_a_decorator_that_does_not_cache_keeps_the_warning():
    source = SINGLETON.replace("                setattr(self, cache_key, instance)\n", "")
    assert [code for _, code, _ in found(source)] == ["LL005"]


def test_cached_property_builds_once():
    source = """
        import functools
        import torch.nn as nn

        class Net(nn.Module):
            @functools.cached_property
            def head(self):
                return nn.Linear(8, 4)

            def forward(self, x):
                return self.head(x)
    """
    assert [code for _, code, _ in found(source)] == []


def test_p6_sequential_from_its_input_shape_is_a_crash_with_both_sizes():
    """Point 6: `Sequential([Input(3 ch), bn, Conv2D(16), bn])`, built at once on Keras 3: one error."""
    source = """
        import keras
        from keras import layers

        bn = layers.BatchNormalization()
        model = keras.Sequential([keras.Input((8, 8, 3)), bn, layers.Conv2D(16, 3), bn])
    """
    assert found(source) == [(6, "LL001", "error")]
    message = messages(source, "LL001")[0]
    assert "3 features" in message and "16" in message


def test_p6_same_sizes_in_the_slots_stay_a_repeated_instance():
    source = """
        import keras
        from keras import layers

        bn = layers.BatchNormalization()
        model = keras.Sequential([keras.Input((8, 8, 16)), bn, layers.Conv2D(16, 3), bn])
    """
    assert found(source) == [(6, "LL004", "warning")]


def test_p6_builder_of_mlp_blocks_f_and_2f_is_a_crash():
    """Point 6: one BatchNormalization handed to a builder that fills blocks of widths F and 2F."""
    source = """
        import keras
        from keras import layers

        def mlp(widths, norm):
            blocks = []
            for width in widths:
                blocks += [layers.Dense(width), norm]
            return keras.Sequential(blocks)

        def build(features=8):
            return mlp([features, 2 * features], layers.BatchNormalization())
    """
    assert [(code, severity) for _, code, severity in found(source)] == [("LL001", "error")]
    message = messages(source, "LL001")[0]
    assert "8 features" in message and "16" in message


RNN_CELL = """
    import tensorflow as tf

    class StepCell(tf.keras.layers.AbstractRNNCell):
        def __init__(self, transition, **kwargs):
            super().__init__(**kwargs)
            self._transition = transition

        @property
        def state_size(self):
            return 4

        def call(self, inputs, state):
            return inputs, [state[0] + inputs]
    {build}

    def decode(inputs, transition):
        return tf.keras.layers.RNN(StepCell(transition), return_sequences=True)(inputs)

    class Tagger(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(4, 4))

        def call(self, inputs):
            return decode(inputs, self.kernel)
"""


def test_an_rnn_around_a_cell_without_weights_rebuilds_nothing():
    """tensorflow-addons' crf_decode: RNN(CrfDecodeForwardRnnCell(transition_params)) in call()."""
    assert found(RNN_CELL.format(build="")) == []


def test_an_rnn_around_a_cell_with_weights_is_still_rebuilt_every_call():
    build = "\n        def build(self, input_shape):\n            self.kernel = self.add_weight(shape=(4, 4))\n"
    assert "LL005" in {code for _, code, _ in found(RNN_CELL.format(build=build))}


HELPER = """
    import torch.nn as nn

    def block(norm, x, conv_a, conv_b):
        x = norm(conv_a(x))
        return norm(conv_b(x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(8)
            self.a = nn.Linear(8, 8)
            self.b = nn.Linear(8, 8)

        def forward(self, x):
            return block(self.norm, x, self.a, self.b)
"""


def test_p5_two_calls_inside_a_helper_called_once_are_judged_by_their_roles():
    """Point 5 re-check: the helper's two calls (after conv_a, after conv_b) share one call site in
    forward(); that is not a loop, and the roles differ: one warning naming the helper's lines."""
    assert found(HELPER) == [(16, "LL002", "warning")]
    message = messages(HELPER, "LL002")[0]
    assert "at lines 5, 6" in message and "`conv_a`, `conv_b`" in message


def test_p5_a_helper_applying_one_call_in_a_loop_stays_designed():
    source = HELPER.replace("        x = norm(conv_a(x))\n        return norm(conv_b(x))",
                            "        return conv_b(norm(conv_a(x)))").replace(
        "            return block(self.norm, x, self.a, self.b)",
        "            for _ in range(3):\n                x = block(self.norm, x, self.a, self.b)\n            return x")
    assert [(code, severity) for _, code, severity in found(source) if code == "LL002"] == []
