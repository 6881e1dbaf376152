"""Hubs with the content services attached and a clock the test moves."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from playback_helpers import AT, DEV_HOME, Clock

from twinspace.content.services import ContentServices
from twinspace.demo import write_demo_home
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.store.sqlite import Store


@pytest.fixture
def clock() -> Clock:
    return Clock(AT)


def _hub(path: Path, clock: Clock, home_dir: Path) -> Iterator[Hub]:
    store = Store(path)
    services = ContentServices(store, clock=clock)
    hub = Hub(store, services=services, clock=clock)
    hub.import_bundle(read_home_dir(home_dir))
    yield hub
    services.close()
    store.close()


@pytest.fixture
def park(tmp_path: Path, clock: Clock) -> Iterator[Hub]:
    """The shared dev home (Minji rated 18, Joon rated 7), at 20:05 +09:00 on 2026-11-28."""
    if not (DEV_HOME / "home.json").exists():
        pytest.skip(f"shared fixture {DEV_HOME} not available")
    yield from _hub(tmp_path / "park.db", clock, DEV_HOME)


@pytest.fixture
def loft(tmp_path: Path, clock: Clock) -> Iterator[Hub]:
    """The project's demo home (Alex rated 18, Sam rated 12), its guide generated around the clock."""
    yield from _hub(tmp_path / "loft.db", clock, write_demo_home(tmp_path / "demo-home", clock.now))
