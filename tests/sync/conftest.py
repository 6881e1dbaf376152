"""Fixtures for the live-sync tests: a running hub, device tokens, the Node client."""

from __future__ import annotations

from typing import Iterator

import pytest

from twinspace import access
from twinspace.hub import Hub

from sync_helpers import LiveServer, node_modules_ready


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # uvicorn and the hub's sync run on asyncio


@pytest.fixture
def server(hub: Hub) -> Iterator[LiveServer]:
    with LiveServer(hub) as live:
        yield live


@pytest.fixture
def alex_token(hub: Hub) -> str:
    """The home owner on her headset."""
    return access.issue_token(hub.store, "demo-loft", "alex", "Alex's Quest", role="owner", device="quest-alex").token


@pytest.fixture
def sam_token(hub: Hub) -> str:
    return access.issue_token(hub.store, "demo-loft", "sam", "Sam's Quest", device="quest-sam").token


@pytest.fixture(scope="session")
def node_ready() -> None:
    why_not = node_modules_ready()
    if why_not is not None:
        pytest.skip(f"Node client test skipped: {why_not}")
