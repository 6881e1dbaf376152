"""Helpers shared by the tests (imported as `support`; conftest modules are not importable)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO_NOW = datetime(2026, 11, 28, 20, 5, tzinfo=timezone.utc)


def shared_path(*parts: str) -> Path:
    """A file from the team's shared specs; tests using it skip where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared fixture {path} not available")
    return path
