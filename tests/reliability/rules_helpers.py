"""Helpers shared by the rule and import reliability tests (the folder's conftest belongs to the crash tests)."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from support import DEMO_NOW, shared_path
from twinspace.actions.registry import Caller
from twinspace.cli import main
from twinspace.demo import write_demo_home
from twinspace.hub import Hub


def run_cli(data: Path, *args: str):  # noqa: ANN201 - click's Result
    """`twinspace --data DATA ARGS...` in-process, as a person would type it."""
    return CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)


def demo_home_with(tmp_path: Path, name: str, **files: Path | bytes) -> Path:
    """The demo home directory with some of its content files (channels.m3u, guide.xml) replaced."""
    root = write_demo_home(tmp_path / name, DEMO_NOW)
    for file_name, content in files.items():
        target = root / file_name.replace("_", ".")
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content)
    return root


def channel_ids(data: Path) -> list[str]:
    from twinspace.config import Settings
    from twinspace.runtime import open_hub

    hub = open_hub(Settings(data))
    try:
        return [c.id for c in hub.services.catalog.channels(hub.home_ids()[0])]
    finally:
        hub.services.close()
        hub.store.close()


KST = timezone(timedelta(hours=9))
DEV_AT = datetime(2026, 11, 28, 20, 5, tzinfo=KST)  # the shared dev home's guide covers this evening
MINJI = Caller("park-family", "minji", "quest-minji", "owner")  # rated 18
JOON = Caller("park-family", "joon", "quest-joon")  # rated 7


@contextmanager
def dev_hub(tmp_path: Path) -> Iterator[Hub]:
    """A hub with content services on the shared dev home (Minji rated 18, Joon rated 7)."""
    from twinspace.content.services import ContentServices
    from twinspace.home.homefile import read_home_dir
    from twinspace.store.sqlite import Store

    home_dir = shared_path("fixtures", "dev-home")
    store = Store(tmp_path / "dev.db")
    services = ContentServices(store, clock=lambda: DEV_AT)
    hub = Hub(store, services=services, clock=lambda: DEV_AT)
    hub.import_bundle(read_home_dir(home_dir))
    try:
        yield hub
    finally:
        services.close()
        store.close()


# Fixtures of these tests' own (imported by the modules that use them), so a conftest of the
# reliability folder cannot change what they stand for.

@pytest.fixture
def demo_home_dir(tmp_path: Path) -> Path:
    """The project's demo home directory (home.json, lineup, guide, vod.json)."""
    return write_demo_home(tmp_path / "demo-home", DEMO_NOW)


@pytest.fixture
def demo_hub(tmp_path: Path, demo_home_dir: Path) -> Iterator[Hub]:
    """A bare hub (no content services) on the demo home, in a fresh store under tmp_path/data."""
    from twinspace.home.homefile import read_home_dir
    from twinspace.store.sqlite import Store

    store = Store(tmp_path / "data" / "twinspace.db")
    hub = Hub(store, clock=lambda: DEMO_NOW)
    hub.import_bundle(read_home_dir(demo_home_dir))
    yield hub
    store.close()
