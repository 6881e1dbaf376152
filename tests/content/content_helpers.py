"""Small builders shared by the content tests (inputs are written by the tests themselves)."""

from __future__ import annotations

import sqlite3
import sys
from datetime import timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
try:
    import twinspace  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))

MIGRATION = REPO / "src" / "twinspace" / "store" / "migrations" / "0002_content.sql"
DEV_HOME = REPO / ".." / "shared" / "fixtures" / "dev-home"
KST = timezone(timedelta(hours=9))


def content_db() -> sqlite3.Connection:
    """A fresh in-memory database with the content tables (there the store applies migrations itself)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row  # as the store opens it
    conn.executescript(MIGRATION.read_text(encoding="utf-8"))
    return conn


def guide(*programmes: str, channels: str = "") -> str:
    """An XMLTV document around the given <programme> elements."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n<tv>\n' + channels + "\n".join(programmes) + "\n</tv>\n"


def programme(channel: str, start: str, stop: str | None, title: str, extra: str = "") -> str:
    stop_attr = f' stop="{stop}"' if stop else ""
    return (f'<programme start="{start}"{stop_attr} channel="{channel}">'
            f'<title lang="en">{title}</title>{extra}</programme>')


def lineup(*channels: tuple[str, str]) -> str:
    """An M3U lineup of (tvg-id, name) channels."""
    lines = ["#EXTM3U"]
    for channel_id, name in channels:
        lines += [f'#EXTINF:-1 tvg-id="{channel_id}" group-title="Test",{name}', f"http://example.test/{channel_id}"]
    return "\n".join(lines) + "\n"
