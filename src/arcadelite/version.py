"""The package version (a leaf module: the dump exporter names it without importing the package)."""

__version__ = "0.1.0"
