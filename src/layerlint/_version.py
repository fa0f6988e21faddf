"""The version, in a leaf module: the cache key, SARIF and the probe read it without importing the
package root (pyproject.toml reads it from here too)."""

__version__ = "0.1.0"
