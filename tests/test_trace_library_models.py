"""`trace` on models nobody here wrote (issue 16): keras-hub and transformers models built from tiny
configurations with random weights, no download. Designed sharing is explained once, at the lines of
the library's own builder code; an injected reuse bug is a crash with the call that failed; the
command line feeds a keras-hub backbone its named integer inputs and constructor arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import layerlint

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def keras_hub():
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras_hub")


@pytest.fixture(scope="module")
def transformers():
    pytest.importorskip("torch")
    return pytest.importorskip("transformers")


def test_keras_hub_tied_embedding_is_one_info_at_the_builder_lines(keras_hub):
    """User trial: both call sites were keras-hub's `pipeline_model.py:553`, the caller of the model."""
    import numpy as np

    from layerlint.runtime import recording_builds

    with recording_builds():
        backbone = keras_hub.models.GPT2Backbone(vocabulary_size=50, num_layers=2, num_heads=2, hidden_dim=8,
                                                 intermediate_dim=16, max_sequence_length=8)
        model = keras_hub.models.GPT2CausalLM(backbone=backbone, preprocessor=None)
    report = layerlint.trace(model, {"token_ids": np.ones((2, 8), "int32"), "padding_mask": np.ones((2, 8), "int32")})
    (finding,) = report.diagnostics
    places = [finding.span.path] + [related.span.path for related in finding.related]
    assert finding.code == "LL003" and "token_embedding" in str(finding.message)
    assert any(p.endswith("gpt2_backbone.py") for p in places) and any(p.endswith("gpt2_causal_lm.py") for p in places)
    assert not any(p.endswith("pipeline_model.py") for p in places)


def test_keras_hub_backbone_from_the_command_line_with_named_integer_inputs(keras_hub):
    config = {"vocabulary_size": 50, "num_layers": 2, "num_heads": 2, "hidden_dim": 8, "intermediate_dim": 16,
              "max_sequence_length": 8}
    result = subprocess.run(
        [sys.executable, "-m", "layerlint", "trace", "keras_hub.models:BertBackbone", "--init-args", json.dumps(config),
         "--input", "token_ids=2,8:int32:0-49", "--input", "segment_ids=2,8:int32:0-1",
         "--input", "padding_mask=2,8:int32:1-1", "--eval", "--seed", "1"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "layer instances" in result.stderr and "no unsafe reuse found" in result.stderr


def _albert(transformers):
    import torch

    torch.manual_seed(0)
    config = transformers.AlbertConfig(vocab_size=50, embedding_size=8, hidden_size=16, num_hidden_layers=4,
                                       num_attention_heads=2, intermediate_size=32, max_position_embeddings=16)
    return transformers.AlbertModel(config).eval(), torch.ones(2, 8, dtype=torch.long)


def test_albert_cross_layer_sharing_is_reported_once_with_one_location_row(transformers):
    """User trial: the shared layer group, once, and its loop as one row "called 4 times here"."""
    model, ids = _albert(transformers)
    report = layerlint.trace(model, ids)
    (finding,) = report.diagnostics
    assert finding.code == "LL003" and "albert_layer_groups[0]" in str(finding.message)
    assert [str(related.message) for related in finding.related] == ["called 4 times here"]


def test_intended_sharing_is_accepted_by_name(transformers):
    model, ids = _albert(transformers)
    report = layerlint.trace(model, ids, allow=["AlbertLayerGroup"])
    assert report.diagnostics == [] and [d.code for d in report.hidden] == ["LL003"]


def test_an_injected_reuse_in_bert_is_a_crash_at_the_failing_call(transformers):
    import torch

    from layerlint.runtime import LayerReuseError

    config = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=32, max_position_embeddings=16)
    model = transformers.BertModel(config).eval()
    model.encoder.layer[1].output.dense = model.encoder.layer[0].intermediate.dense  # 16 -> 32, fed 32
    with pytest.raises(LayerReuseError) as raised:
        layerlint.trace(model, torch.ones(2, 8, dtype=torch.long))
    message = str(raised.value)
    assert "LL001" in message and "encoder.layer[0].intermediate.dense" in message and "modeling_bert.py" in message
