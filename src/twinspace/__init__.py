"""twinspace: a local-first home hub for extended reality."""

__version__ = "0.1.0"
