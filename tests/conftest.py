"""Shared test fixtures: the project's own demo home, a fresh store and hub, callers."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import DEMO_NOW
from twinspace.actions.registry import Caller
from twinspace.demo import write_demo_home
from twinspace.home.homefile import HomeBundle, read_home_dir
from twinspace.hub import Hub
from twinspace.store.sqlite import Store


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return write_demo_home(tmp_path / "demo-home", DEMO_NOW)


@pytest.fixture
def demo_bundle(demo_dir: Path) -> HomeBundle:
    return read_home_dir(demo_dir)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "data" / "twinspace.db")
    yield s
    s.close()


@pytest.fixture
def hub(store: Store, demo_bundle: HomeBundle) -> Hub:
    h = Hub(store, clock=lambda: DEMO_NOW)
    h.import_bundle(demo_bundle)
    return h


@pytest.fixture
def owner() -> Caller:
    return Caller(home_id="demo-loft", person="alex", device="quest-alex", role="owner")
