"""Keras callbacks: `layerlint.keras.ReuseCheck` (see `layerlint.callbacks.keras`)."""

from layerlint.callbacks.keras import ReuseCheck

__all__ = ["ReuseCheck"]
