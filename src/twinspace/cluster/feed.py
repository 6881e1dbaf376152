"""The changes of the homes a replica serves, read from their streams by one thread.

Replaces the store polling of a lone hub: a live document learns of a change another
process committed (the CLI, a replica that owned the home before) from the home's stream.
The thread blocks in one XREAD over all followed homes and hands what it read to
`deliver(events, gaps)`; after a dropped connection it reads on from each home's last id.
After Redis lost its data (the streams' epoch changed, cluster/events.py) it reads every
stream again from its start and reports every followed home as a gap, so the live documents
reload from the store: nothing published before the loss is skipped, nothing after it missed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Callable, Optional

import redis

from twinspace.cluster import events
from twinspace.cluster.events import Event, Follower

log = logging.getLogger(__name__)
Deliver = Callable[[list[Event], set[str]], None]


class ChangeFeed:
    def __init__(self, client: "redis.Redis", deliver: Deliver, *, block_ms: int = 500,
                 pause_s: float = 0.05) -> None:
        self.client = client
        self.deliver = deliver
        self.block_ms = block_ms  # also how soon a newly followed home joins the XREAD
        # After a read that found changes, wait this long before the next: an XREAD names every
        # followed home, and the owner's own commits (most of what it reads) would otherwise
        # make it one call per commit. Other processes' changes arrive at most this much later.
        self.pause_s = pause_s
        self._follower = Follower(client)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def follow(self, home_id: str) -> None:
        """Follow the home from its stream's newest entry. Call before loading the home from the
        store: whatever is committed after the load is then in what the feed reads."""
        current = events.epoch(self.client)  # before the id: a loss in between re-reads, never skips
        newest = events.last_id(self.client, home_id)
        with self._lock:
            self._follower.follow(home_id, newest, epoch=current)

    def unfollow(self, home_id: str) -> None:
        with self._lock:
            self._follower.unfollow(home_id)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="twinspace change feed", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:  # XREAD on a copy, without holding the lock
                originals = dict(self._follower.positions)
                follower = Follower(self.client)
                follower.positions = {h: replace(p) for h, p in originals.items()}
            if not follower.positions:
                self._stop.wait(self.block_ms / 1000)
                continue
            try:
                read, gaps = follower.read(block_ms=self.block_ms)
            except redis.RedisError as e:  # redis-py reconnects on the next command; we resume from last ids
                log.warning("reading change streams failed (%s); retrying", e)
                self._stop.wait(0.5)
                continue
            with self._lock:
                for home_id, position in follower.positions.items():
                    if self._follower.positions.get(home_id) is originals[home_id]:  # not re-followed meanwhile
                        self._follower.positions[home_id] = originals[home_id] = position
            if read or gaps:
                try:
                    self.deliver(read, gaps)
                except Exception:
                    log.exception("delivering stream changes failed")
                self._stop.wait(self.pause_s)
