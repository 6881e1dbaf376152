"""Committed changes of a home as a Redis Stream, read by every replica from its last id.

Not pub/sub: a stream keeps entries, so a consumer that lost its connection resumes with
XREAD from the last id it saw and misses nothing still in the stream. Each home's stream is
trimmed to about `maxlen` entries (MAXLEN ~); a consumer that fell further behind than that
reloads the home from the store instead (`Gap`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

import redis

DEFAULT_MAXLEN = 1000


def stream_key(home_id: str) -> str:
    return f"twinspace:home:{home_id}:changes"


@dataclass(frozen=True)
class Event:
    id: str
    home_id: str
    version: int
    data: dict[str, Any]


class Gap(Exception):
    """Entries after the consumer's last id were trimmed away: reload the home from the store."""


def publish(client: "redis.Redis", home_id: str, version: int, data: dict[str, Any],
            maxlen: int = DEFAULT_MAXLEN) -> str:
    """Append a committed change; returns its stream id."""
    entry_id = client.xadd(stream_key(home_id), {"version": version, "data": json.dumps(data)},
                           maxlen=maxlen, approximate=True)
    return entry_id.decode() if isinstance(entry_id, bytes) else entry_id


class Consumer:
    """Reads one home's changes in order, remembering the last id across reconnects."""

    def __init__(self, client: "redis.Redis", home_id: str, last_id: str = "0-0") -> None:
        self.client = client
        self.home_id = home_id
        self.last_id = last_id
        self.last_version: Optional[int] = None

    def read(self, block_ms: int = 1000, count: int = 100) -> list[Event]:
        """The next changes after `last_id` (waiting up to `block_ms` for one); Gap if some were trimmed."""
        key = stream_key(self.home_id)
        reply = self.client.xread({key: self.last_id}, count=count, block=block_ms)
        events = []
        for _, entries in reply or []:
            for raw_id, fields in entries:
                entry_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id
                version = int(fields[b"version"] if b"version" in fields else fields["version"])
                if self.last_version is not None and version != self.last_version + 1:
                    raise Gap(f"home {self.home_id}: expected version {self.last_version + 1}, stream has {version}")
                data = fields[b"data"] if b"data" in fields else fields["data"]
                events.append(Event(entry_id, self.home_id, version, json.loads(data)))
                self.last_id, self.last_version = entry_id, version
        return events
