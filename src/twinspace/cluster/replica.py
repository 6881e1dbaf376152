"""A hub process that is one of several: its Redis client, home ownership and change streams.

`Replica(url, address, issue_fence)` for a serving replica (`twinspace up`): it owns homes
(the store issues their fences), fences its commits (`fencing`) and publishes them. With no
address (a CLI command on a cluster) the process owns nothing and writes unfenced, as the CLI
does beside a lone hub, but still publishes what it commits, so the owner's live documents
see it at once.
"""

from __future__ import annotations

import logging
from typing import Optional

import redis

from twinspace.cluster import events
from twinspace.cluster.lease import IssueFence
from twinspace.cluster.ownership import DEFAULT_TTL_MS, Ownership

log = logging.getLogger(__name__)


class Replica:
    def __init__(self, url: str, address: Optional[str], issue_fence: Optional[IssueFence] = None, *,
                 ttl_ms: int = DEFAULT_TTL_MS) -> None:
        if address and issue_fence is None:
            raise ValueError("a serving replica needs the store's issue_fence to own homes")
        self.url = url
        self.address = address
        self.client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5,
                                           health_check_interval=10)
        try:
            self.client.ping()
        except redis.RedisError as e:
            raise RuntimeError(f"cannot reach Redis at TWINSPACE_REDIS_URL ({url}): {e}") from e
        self.ownership = Ownership(self.client, address, issue_fence, ttl_ms=ttl_ms) if address else None

    @property
    def fencing(self) -> Optional[Ownership]:
        """The store's fencing (store.postgres.Fencing), or None: unfenced writes."""
        return self.ownership

    def publish(self, change) -> None:  # noqa: ANN001 - hub.HomeChange; a hub listener
        """Append a committed change to its home's stream (runs on the committing thread)."""
        try:
            events.publish(self.client, change.home_id, change.version, {"by": self.address or "cli"})
        except redis.RedisError as e:  # followers see the version gap at the next change and reload
            log.warning("publishing version %s of home %s failed: %s", change.version, change.home_id, e)

    def feed_client(self) -> "redis.Redis":
        """A connection of its own for blocking stream reads (XREAD BLOCK holds it)."""
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=10)

    def start(self) -> None:
        if self.ownership is not None:
            self.ownership.start()

    def close(self) -> None:
        if self.ownership is not None:
            self.ownership.close()
        self.client.close()
