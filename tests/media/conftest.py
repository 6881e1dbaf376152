"""Fixtures for the media tests: the app with its media, device tokens, system tools."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from media_helpers import REPO, ensure_installed

from twinspace import access
from twinspace.hub import Hub
from twinspace.media import Media
from twinspace.server.app import create_app


@pytest.fixture
def shared_home() -> Path:
    """The team's dev-home fixture (its lineup points at /demo/live/<tvg-id>/...)."""
    path = REPO.parent / "shared" / "fixtures" / "dev-home"
    if not path.is_dir():
        pytest.skip(f"shared fixture {path} not available")
    return path


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    ensure_installed("ffprobe")
    return ensure_installed("ffmpeg")


@pytest.fixture
def app(hub: Hub) -> FastAPI:
    return create_app(hub)


@pytest.fixture
def media(app: FastAPI) -> Media:
    return app.state.media


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:  # runs the lifespan: encoders are stopped at the end
        yield c


@pytest.fixture
def token(hub: Hub) -> Callable[..., str]:
    """A device token of the demo home, for a person (None: a shared device with no person)."""
    def issue(person: str | None = None) -> str:
        return access.issue_token(hub.store, "demo-loft", person, f"test device {person}").token
    return issue
