"""layerlint: find, explain and fix unsafe reuse of layer instances in Keras and PyTorch models."""

from __future__ import annotations

__version__ = "0.1.0"
