"""Committed changes of a home as a Redis Stream, read by every replica from its last id.

Not pub/sub: a stream keeps entries, so a consumer that lost its connection resumes with
XREAD from the last id it saw and misses nothing still in the stream. Each home's stream is
trimmed to about `maxlen` entries (MAXLEN ~); a consumer that fell further behind than that
reloads the home from the store instead (`Gap`).

When Redis loses its data (restarted without persistence, FLUSHALL) every stream starts over
and its new ids need not follow the old ones (the same millisecond, or a server whose clock is
behind): reading on from the last id seen would skip them. So the streams carry an epoch, a
random name kept in Redis beside them (`epoch`): a follower that finds another epoch than the
one its position was read in reads that stream again from its start, and reports a gap (what
was published before the loss is gone: reload from the store).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any, Optional

import redis

DEFAULT_MAXLEN = 1000
EPOCH_KEY = "twinspace:streams:epoch"


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


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _field(fields: dict[Any, Any], name: str) -> Any:
    return fields[name.encode()] if name.encode() in fields else fields[name]


def publish(client: "redis.Redis", home_id: str, version: int, data: dict[str, Any],
            maxlen: int = DEFAULT_MAXLEN) -> str:
    """Append a committed change; returns its stream id."""
    entry_id = client.xadd(stream_key(home_id), {"version": version, "data": json.dumps(data)},
                           maxlen=maxlen, approximate=True)
    return _text(entry_id)


def epoch(client: "redis.Redis") -> str:
    """The name of the streams' current life: made by the first to ask after Redis started empty
    (SET NX), the same for everyone until Redis loses its data again."""
    mine = secrets.token_hex(8)
    return _text(client.set(EPOCH_KEY, mine, nx=True, get=True) or mine)


def last_id(client: "redis.Redis", home_id: str) -> str:
    """The id of the newest entry in the home's stream ("0-0" if it has none): read from here
    after loading the home from the store and nothing committed since is missed."""
    newest = client.xrevrange(stream_key(home_id), count=1)
    return _text(newest[0][0]) if newest else "0-0"


@dataclass
class _Position:
    last_id: str
    last_version: Optional[int]
    epoch: Optional[str] = None  # the streams' epoch `last_id` belongs to; None: the one found at the next read


class Follower:
    """Reads the changes of many homes in order with one XREAD, remembering each home's last id.

    One blocking reader per replica, however many homes it serves. A home whose next entry
    does not follow the version last seen (trimmed away, or a publish that failed) is reported
    in the `gaps` of `read` and followed on from there: reload it from the store. So is every
    home whose stream started over (another epoch): it is read again from its first entry."""

    def __init__(self, client: "redis.Redis") -> None:
        self.client = client
        self.positions: dict[str, _Position] = {}
        self._restarted: set[str] = set()  # started over, not yet reported (a read that failed reports it next)

    def follow(self, home_id: str, last_id: str = "0-0", last_version: Optional[int] = None,
               epoch: Optional[str] = None) -> None:
        """Read the home from after `last_id`, an id of the streams' `epoch` (ask for the epoch
        before the id: if Redis loses its data in between, the id is read again, never skipped)."""
        self.positions[home_id] = _Position(last_id, last_version, epoch)

    def unfollow(self, home_id: str) -> None:
        self.positions.pop(home_id, None)

    def read(self, block_ms: int = 1000, count: int = 100) -> tuple[list[Event], set[str]]:
        """The next changes of the followed homes (waiting up to `block_ms`), and the homes with gaps."""
        if not self.positions:
            return [], set()
        self._restarted |= self._start_over(epoch(self.client))
        keys = {stream_key(h): p.last_id for h, p in list(self.positions.items())}
        reply = self.client.xread(keys, count=count, block=block_ms)
        events, gaps = [], self._restarted & set(self.positions)
        self._restarted = set()
        for raw_key, entries in reply or []:
            home_id = _text(raw_key)[len(stream_key("")) - len(":changes"):-len(":changes")]
            position = self.positions.get(home_id)
            if position is None:  # unfollowed while reading
                continue
            for raw_id, fields in entries:
                version = int(_field(fields, "version"))
                if position.last_version is not None and version != position.last_version + 1:
                    gaps.add(home_id)
                position.last_id, position.last_version = _text(raw_id), version
                events.append(Event(position.last_id, home_id, version, json.loads(_field(fields, "data"))))
        return events, gaps

    def _start_over(self, current: str) -> set[str]:
        """Homes whose position is of another epoch: Redis lost their streams, read them from the start."""
        restarted = set()
        for home_id, position in list(self.positions.items()):
            if position.epoch is None:
                position.epoch = current
            elif position.epoch != current:
                position.last_id, position.last_version, position.epoch = "0-0", None, current
                restarted.add(home_id)
        return restarted


class Consumer:
    """Reads one home's changes in order, remembering the last id across reconnects."""

    def __init__(self, client: "redis.Redis", home_id: str, last_id: str = "0-0") -> None:
        self.home_id = home_id
        self._follower = Follower(client)
        self._follower.follow(home_id, last_id)
        self._position = self._follower.positions[home_id]

    @property
    def last_id(self) -> str:
        return self._position.last_id

    def read(self, block_ms: int = 1000, count: int = 100) -> list[Event]:
        """The next changes after `last_id` (waiting up to `block_ms` for one); Gap if some were
        trimmed, or lost with Redis's data (the next read goes on from the stream's new start)."""
        before = self._position.last_version
        events, gaps = self._follower.read(block_ms, count)
        if gaps:
            skipped = next((e.version for e in events if e.version != (before or 0) + 1), None)
            raise Gap(f"home {self.home_id}: expected version {(before or 0) + 1}, stream has {skipped}"
                      if skipped is not None else
                      f"home {self.home_id}: its stream started over (Redis lost its data) after version {before}")
        return events
