"""Fixtures for the content catalogue tests."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import pytest
from content_helpers import KST, content_db

from twinspace.content import Catalog


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    connection = content_db()
    yield connection
    connection.close()


@pytest.fixture
def catalog(conn: sqlite3.Connection) -> Catalog:
    return Catalog(conn, clock=lambda: datetime(2026, 11, 28, 20, 5, tzinfo=KST))


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, "str | bytes"], Path]:
    """Write a small input file into tmp_path and return its path."""
    def write_file(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path
    return write_file
