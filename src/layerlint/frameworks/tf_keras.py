"""Keras 2 as the tf_keras package (and `tf.keras` with TF_USE_LEGACY_KERAS=1)."""

from __future__ import annotations

from layerlint import frameworks
from layerlint.frameworks.keras import KERAS_LAYOUTS

FRAMEWORK = frameworks.Framework(
    name="tf_keras",
    display="tf.keras (tf_keras)",
    module="tf_keras",
    layer_base_module="tf_keras.src.engine.base_layer",
    install="pip install tf_keras==2.21.0",
    namespaces=("tf_keras.",),
    model_bases=frozenset({"Model", "Layer", "Sequential", "AbstractRNNCell"}),  # a cell is a Layer
    layer_module="tf_keras.layers",
    channels_first=False,
    probe_adapter="layerlint.catalog.probe.adapters:TFKerasAdapter",
    input_layouts=KERAS_LAYOUTS,
)
