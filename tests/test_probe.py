"""The probe measures layer classes afresh and the shipped catalog must agree with it."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from layerlint.catalog import DATA_DIR, lookup  # noqa: E402
from layerlint.catalog import probe  # noqa: E402

FIELDS = ("category", "weights", "statistics", "normalizes", "random_state", "sizing", "pins",
          "reuse_error")

SAMPLES = {
    "keras": ["BatchNormalization", "Dense", "MaxPool2D", "Flatten", "Dropout", "LayerNormalization"],
    "tf_keras": ["BatchNormalization", "Dense", "Dropout"],
    "torch": ["BatchNorm2d", "Linear", "LazyLinear", "ReLU", "Dropout", "InstanceNorm2d"],
}
PACKAGE = {"keras": "keras", "tf_keras": "tf_keras", "torch": "torch"}

REQUIRED = getattr(probe, "REQUIRED_BY_RULES", None) or {
    "keras": ["BatchNormalization", "Conv2D", "Dense", "LayerNormalization", "MaxPool2D", "Flatten",
              "ReLU", "Dropout"],
    "tf_keras": ["BatchNormalization", "Conv2D", "Dense", "LayerNormalization", "MaxPool2D",
                 "Flatten", "ReLU", "Dropout"],
    "torch": ["BatchNorm2d", "Conv2d", "Linear", "ReLU", "MaxPool2d", "LazyLinear"],
}


def shipped(framework: str) -> dict:
    return json.loads((DATA_DIR / f"{framework}.json").read_text(encoding="utf-8"))


def checker_view(entry: dict) -> dict:
    view = {key: entry.get(key) for key in FIELDS}
    view["pins"] = sorted(view["pins"] or [])
    view["variants"] = [{k: (sorted(v) if k == "pins" else v) for k, v in variant.items()}
                        for variant in entry.get("variants", ())]
    view["aliases"] = sorted(entry.get("aliases", ()))
    return view


_PROBED: dict[str, dict] = {}


def probed(framework: str) -> dict:
    pytest.importorskip(PACKAGE[framework])
    if framework not in _PROBED:
        _PROBED[framework] = probe.run_probe(framework, SAMPLES[framework])
    return _PROBED[framework]


@pytest.mark.parametrize("framework", ["keras", "tf_keras", "torch"])
def test_fresh_probe_matches_the_shipped_catalog(framework):
    document = probed(framework)
    catalog = shipped(framework)
    if document["versions"] != catalog["versions"]:
        pytest.skip(f"catalog made for {catalog['versions']}, installed {document['versions']}")
    for name, entry in document["classes"].items():
        assert name in catalog["classes"], name
        assert checker_view(entry) == checker_view(catalog["classes"][name]), name


@pytest.mark.parametrize("framework", ["keras", "tf_keras", "torch"])
def test_catalog_covers_the_classes_the_rules_need(framework):
    for name in REQUIRED[framework]:
        assert lookup(framework, name) is not None, f"{framework}: {name}"


def test_catalog_documents_are_well_formed():
    categories = {"stateless", "stateless-pins-rank", "random-state", "weights-first-call",
                  "weights-constructor", "running-statistics", "composite"}
    for framework in ("keras", "tf_keras", "torch"):
        document = shipped(framework)
        assert document["framework"] == framework
        assert document["generated_by"].startswith("layerlint probe")
        for name, entry in document["classes"].items():
            assert entry["category"] in categories, name
            assert entry["sizing"] in ("first-call", "constructor", "none"), name
            assert set(entry["pins"]) <= {"rank", "feature"}, name
            for variant in entry.get("variants", ()):
                assert set(variant) - {"when"} <= set(FIELDS), name
            for alias in entry.get("aliases", ()):
                assert alias not in document["classes"], alias
        probed_count = len(document["classes"])
        not_layers = [k for k, v in document["unprobed"].items()
                      if v.startswith(("loss function", "alias of", "base class", "abstract",
                                       "container", "parameter container", "deprecated container"))]
        layer_classes = probed_count + len(document["unprobed"]) - len(not_layers)
        assert probed_count / layer_classes >= 0.9, framework


def test_keras_measurements_match_the_article():
    document = probed("keras")
    classes = document["classes"]
    bn = classes["BatchNormalization"]
    assert bn["statistics"] and bn["normalizes"] and "feature" in bn["pins"]
    assert bn["reuse_error"].startswith("ValueError: Input 0")
    assert "{expected}" in bn["reuse_error"] and "{received_shape}" in bn["reuse_error"]
    # MaxPool2D is an alias of MaxPooling2D: probed once, reusable anywhere (no state, no pin).
    assert "MaxPool2D" in classes["MaxPooling2D"]["aliases"]
    assert classes["MaxPooling2D"]["category"] == "stateless"
    # LayerNormalization: per-feature weights built on the first call (unsafe across sizes) ...
    layer_norm = classes["LayerNormalization"]
    assert layer_norm["weights"] and layer_norm["pins"] == ["feature"]
    assert layer_norm["category"] == "weights-first-call" and not layer_norm["statistics"]
    # ... but stateless without center and scale.
    resolved = lookup("keras", "LayerNormalization", {"center": False, "scale": False})
    assert resolved.category == "stateless" and not resolved.pins
    # Dropout: only a seed generator, never misjudged as weights or statistics.
    dropout = classes["Dropout"]
    assert dropout["category"] == "random-state" and dropout["random_state"]
    assert not dropout["weights"] and not dropout["statistics"] and dropout["pins"] == []
    assert dropout["evidence"]["training_call"]["output_random"] is True


def test_torch_measurements_and_variants():
    document = probed("torch")
    classes = document["classes"]
    assert classes["Linear"]["sizing"] == "constructor"
    assert classes["LazyLinear"]["sizing"] == "first-call"
    assert classes["LazyLinear"]["category"] == "weights-first-call"
    assert classes["ReLU"]["category"] == "stateless"
    assert classes["BatchNorm2d"]["reuse_error"] == \
        "RuntimeError: running_mean should contain {received} elements not {expected}"
    when = {v_key: v for v_key, v in ((json.dumps(v["when"], sort_keys=True), v)
                                      for v in classes["BatchNorm2d"]["variants"])}
    both = when[json.dumps({"affine": False, "track_running_stats": False}, sort_keys=True)]
    assert both["category"] == "stateless" and both["pins"] == [] and not both["statistics"]
    resolved = lookup("torch", "BatchNorm2d", {"affine": False, "track_running_stats": False})
    assert resolved.category == "stateless" and resolved.normalizes and not resolved.stateful
    assert lookup("torch", "BatchNorm2d", {"affine": False}).statistics
    assert lookup("torch", "InstanceNorm2d").category == "stateless"
    assert lookup("torch", "InstanceNorm2d", {"track_running_stats": True}).statistics


def test_templatize_replaces_the_probe_sizes_and_names():
    message = ("ValueError: Input 0 of layer 'dense_3' is incompatible with the layer: expected axis -1 "
               "of input shape to have value 11, but received input with shape (2, 13); {x}")
    template = probe.templatize(message, layer="dense_3", cls="Dense", expected=11, received=13,
                                received_shape=(2, 13))
    assert template == ("ValueError: Input 0 of layer '{layer}' is incompatible with the layer: expected "
                        "axis {axis} of input shape to have value {expected}, but received input with "
                        "shape {received_shape}; {{x}}")
    assert template.format(layer="d", axis=1, expected=4, received_shape="(2, 5)").endswith("; {x}")


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    probe.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_json_and_markdown(capsys, tmp_path):
    pytest.importorskip("torch")
    assert probe.run(_args("--framework", "torch", "--format", "json", "Linear", "ReLU")) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document["classes"]) == {"Linear", "ReLU"}
    assert document["classes"]["Linear"]["category"] == "weights-constructor"
    output = tmp_path / "probe.md"
    assert probe.run(_args("--framework", "torch", "--format", "markdown", "--output", str(output),
                           "torch.nn.BatchNorm1d")) == 0
    text = output.read_text()
    assert "| `BatchNorm1d` | running-statistics |" in text


def test_cli_keras_table_accepts_aliases(capsys):
    pytest.importorskip("keras")
    assert probe.run(_args("--framework", "keras", "--format", "table", "MaxPool2D")) == 0
    out = capsys.readouterr().out
    assert "MaxPooling2D" in out and "stateless" in out


def test_unknown_class_is_a_clear_error(capsys):
    pytest.importorskip("torch")
    assert probe.run(_args("--framework", "torch", "NoSuchLayer")) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("layerlint probe: unknown torch layer class 'NoSuchLayer' "
                   "(not a layer class in torch.nn)")


def test_missing_framework_is_a_clear_error(capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tf_keras", None)
    assert probe.run(_args("--framework", "tf_keras")) == 2
    err = capsys.readouterr().err
    assert err == "layerlint probe: tf_keras is not installed; pip install tf_keras==2.21.0\n"


def test_explain_class():
    text = probe.explain_class(None, "keras.layers.BatchNormalization", details=True)  # evidence: --details
    assert text.startswith("keras.layers.BatchNormalization")
    assert "running-statistics" in text and "evidence:" in text and "torch.nn" not in text
    torch_text = probe.explain_class(None, "torch.nn.BatchNorm2d")
    assert "affine=False" in torch_text
    alias = probe.explain_class("keras", "MaxPool2D")
    assert "(= MaxPooling2D)" in alias
    assert "tf_keras.layers.Dense" in probe.explain_class(None, "Dense")
    assert probe.explain_class(None, "NoSuchLayer") is None


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_keras_other_backends_measure_the_same_traits(tmp_path, backend):
    """What a class keeps and pins does not depend on the backend; the error text may."""
    pytest.importorskip("keras")
    pytest.importorskip(backend)
    out = tmp_path / "catalog.json"
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([sys.executable, "-m", "layerlint", "probe", "--framework", "keras", "--backend", backend,
                           "--format", "json", "--output", str(out), "BatchNormalization", "Dense", "MaxPool2D",
                           "Dropout", "LayerNormalization"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(out.read_text())
    assert measured["versions"]["backend"] == backend
    for name, entry in measured["classes"].items():
        traits = lookup("keras", name)
        assert (entry["weights"], entry["statistics"], entry["sizing"], sorted(entry["pins"])) == (
            traits.weights, traits.statistics, traits.sizing, sorted(traits.pins)), name
