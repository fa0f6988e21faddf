"""PyTorch Lightning callbacks: `layerlint.lightning.ReuseCheck` (see `layerlint.callbacks.lightning`)."""

from layerlint.callbacks.lightning import ReuseCheck

__all__ = ["ReuseCheck"]
