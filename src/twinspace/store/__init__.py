"""Persistence: SQLite by default."""

from twinspace.store.sqlite import Store  # noqa: F401
