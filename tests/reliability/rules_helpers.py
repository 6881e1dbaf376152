"""Helpers shared by the rule and import reliability tests (the folder's conftest belongs to the crash tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from support import DEMO_NOW
from twinspace.cli import main
from twinspace.demo import write_demo_home


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
