"""Keras 3 (`import keras`; also `tf.keras` on TensorFlow >= 2.16 unless TF_USE_LEGACY_KERAS=1)."""

from __future__ import annotations

from layerlint import frameworks

KERAS_LAYOUTS: dict[str, object] = {
    "vec": "BF", "seq": "BSF", "img": "BSSF", "vol": "BSSSF", "rgb": "BRRF",
    "tseq1": "BTSF", "tseq2": "BTSSF", "tseq3": "BTSSSF",
    "ints": ("BS", "int"), "ints1": ("B", "int"), "strings": ("BS", "str"), "text": ("B", "text"),
    "audio": "BL", "audio3": "BLF",
}

FRAMEWORK = frameworks.Framework(
    name="keras",
    display="Keras 3",
    module="keras",
    layer_base_module="keras.src.layers.layer",
    install="pip install tensorflow-cpu==2.21.0",
    namespaces=("keras.",),
    model_bases=frozenset({"Model", "Layer", "Sequential", "AbstractRNNCell"}),  # a cell is a Layer
    layer_module="keras.layers",
    channels_first=False,
    probe_adapter="layerlint.catalog.probe.adapters:KerasAdapter",
    library_bases=(
        ("keras_hub.", "Backbone"), ("keras_hub.", "Task"), ("keras_hub.", "Layer"),
        ("keras_nlp.", "Backbone"), ("keras_nlp.", "Task"), ("keras_cv.", "Backbone"), ("keras_cv.", "Task"),
    ),
    input_layouts=KERAS_LAYOUTS,
)
