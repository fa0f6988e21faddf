"""Fixtures shared by the runtime tests: each framework, skipped only when it is not installed."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def keras():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("these tests run Keras 3 on the TensorFlow backend")
    return keras


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")
