"""Fixtures for the cowatch tests: the demo home's hub served by a TestClient, tokens, a playing panel."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.hub import Hub
from twinspace.server.app import create_app


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub)) as c:
        yield c


@pytest.fixture
def token(hub: Hub) -> Callable[..., str]:
    def issue(person: str | None = "alex", home: str = "demo-loft") -> str:
        return access.issue_token(hub.store, home, person, f"test device {person}").token
    return issue


@pytest.fixture
def playing(hub: Hub, owner: Caller) -> str:
    """A panel on the lounge wall playing an on-demand title; its id."""
    outcome = hub.apply("demo-loft", "panel.open", {"content": "vod:big-wave", "placement": {"surface": "WALL_FACE"}},
                        caller=owner, room="lounge")
    return outcome.result["panel"]["id"]
