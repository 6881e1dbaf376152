"""Fixtures for the bridge tests: fake devices on loopback and a hub whose bridges run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the protocol doubles and bridge_helpers

from bridge_helpers import (RENDERER, RENDERER_HOST, TV_HOST, add_renderer, bind_home_assistant, bind_tv,  # noqa: E402
                            pair_tv, running)
from doubles.homeassistant import FakeHomeAssistant  # noqa: E402
from twinspace.hub import Hub  # noqa: E402


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_ha() -> Iterator[FakeHomeAssistant]:
    with FakeHomeAssistant() as ha:
        yield ha


@pytest.fixture
def ha_hub(hub: Hub, fake_ha: FakeHomeAssistant) -> Iterator[Hub]:
    """The demo home with its kitchen pendant and speaker on the fake Home Assistant, bridges running."""
    bind_home_assistant(hub, fake_ha, {"light-pendant": "light.kitchen_pendant",
                                       "speaker-kitchen": "media_player.kitchen_speaker"})
    yield from running(hub, "light-pendant")


@pytest.fixture
def fake_tv() -> Iterator["FakeWebOsTv"]:
    from doubles.webos import FakeWebOsTv

    with FakeWebOsTv(TV_HOST) as tv:
        yield tv


@pytest.fixture
def tv_hub(hub: Hub, fake_tv) -> Iterator[Hub]:
    """The demo home's lounge TV bound to the fake TV (paired), bridges running."""
    bind_tv(hub, fake_tv)
    pair_tv(hub, fake_tv)
    yield from running(hub, "tv-lounge")



@pytest.fixture
def fake_renderer() -> Iterator["FakeRenderer"]:
    from doubles.dlna import FakeRenderer

    with FakeRenderer(RENDERER_HOST) as renderer:
        yield renderer


@pytest.fixture
def dlna_hub(hub: Hub, fake_renderer) -> Iterator[Hub]:
    """The demo home's Soundbar bound to the fake DLNA renderer, bridges running."""
    add_renderer(hub, fake_renderer)
    yield from running(hub, RENDERER)
