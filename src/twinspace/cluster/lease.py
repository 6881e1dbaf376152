"""One owner replica per home: a lease in Redis, fenced by the store.

`home:<id>:owner` holds the owner's random token and its address (where other replicas
forward the home's requests), set with `SET NX PX` and renewed by a compare-and-extend
script, so only the holder extends it and an expired lease is free for another replica.

Each acquisition then takes a fence from the store (`issue_fence`, PostgreSQL's
`home_fences`), not from Redis: the store refuses every commit whose fence is not the last one
it issued for the home, so a replica that lost its lease (paused, partitioned) cannot write,
and fences never go back when Redis loses its data (a restart without persistence, FLUSHALL).
A commit the store refuses marks the lease stale (`refused`): it is given back, and taken again
with a new fence if nobody else took it meanwhile (cluster/ownership.py).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

import redis

from twinspace.errors import Conflict

# Extend only our own lease: GET and PEXPIRE in one atomic step.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# Extend many of our leases in one call: KEYS are the leases, ARGV[1] the ttl, ARGV[i+1] KEYS[i]'s token.
_RENEW_MANY = """
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[i + 1] then
    out[i] = redis.call('PEXPIRE', key, ARGV[1])
  else
    out[i] = 0
  end
end
return out
"""
# Release only our own lease.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass
class Lease:
    home_id: str
    token: str
    fence: int
    valid_until: float = 0.0  # monotonic time the lease is sure to last until (taken or renewed before it)
    stale: bool = False  # the store refused its fence: a newer one was issued for the home


IssueFence = Callable[[str], int]  # home id -> a new fence, higher than every one issued before


class Leases:
    """The leases this replica holds; with `fence` and `refused` it is a store's fencing
    (store.postgres.Fencing). `issue_fence` is the store's; without it (only looking up who holds
    a home) nothing can be acquired."""

    def __init__(self, client: "redis.Redis", *, issue_fence: Optional[IssueFence] = None, ttl_ms: int = 3000,
                 holder: str = "") -> None:
        self.client = client
        self.issue_fence = issue_fence
        self.ttl_ms = ttl_ms
        self.holder = holder  # this replica's address, told to the others (no spaces)
        self._held: dict[str, Lease] = {}
        self._lock = threading.Lock()
        self._renew = client.register_script(_RENEW)
        self._renew_many = client.register_script(_RENEW_MANY)
        self._release = client.register_script(_RELEASE)

    @staticmethod
    def _key(home_id: str) -> str:
        return f"twinspace:home:{home_id}:owner"

    def acquire(self, home_id: str) -> Optional[Lease]:
        """Take the home's lease if nobody holds it; None if another replica does."""
        if self.issue_fence is None:
            raise RuntimeError("these leases have no fence source (the store's issue_fence): they can only be looked up")
        token = f"{secrets.token_hex(16)} {self.holder}".rstrip()
        started = time.monotonic()
        if not self.client.set(self._key(home_id), token, nx=True, px=self.ttl_ms):
            return None
        try:
            fence = self.issue_fence(home_id)  # only while holding the lease: it fences out the last holder
        except BaseException:
            self._release(keys=[self._key(home_id)], args=[token])  # a lease without a fence is no use to anyone
            raise
        if self.owner_token(home_id) != token:
            return None  # lost while the fence was issued (Redis lost its data, or it lapsed): not ours
        lease = Lease(home_id, token, fence, started + self.ttl_ms / 1000)
        with self._lock:
            self._held[home_id] = lease
        return lease

    def renew(self, home_id: str) -> bool:
        """Extend our lease; False (and forgotten) if it expired or another replica took it."""
        with self._lock:
            lease = self._held.get(home_id)
        if lease is None:
            return False
        if lease.stale:
            self._give_back(lease)
            return False
        started = time.monotonic()
        if self._renew(keys=[self._key(home_id)], args=[lease.token, self.ttl_ms]) == 1:
            lease.valid_until = started + self.ttl_ms / 1000
            return True
        self._forget_lease(lease)
        return False

    def renew_many(self, home_ids: list[str], batch: int = 500) -> dict[str, bool]:
        """`renew` for many homes, one script call per `batch` (a replica may own a thousand).

        One call, not a pipeline of one per home: reading a thousand replies on a busy
        process waits for the GIL a thousand times, long enough to let leases lapse."""
        with self._lock:
            leases = [self._held[h] for h in home_ids if h in self._held]
        kept = {}
        for lease in [lease for lease in leases if lease.stale]:
            self._give_back(lease)
            kept[lease.home_id] = False
        leases = [lease for lease in leases if not lease.stale]
        for first in range(0, len(leases), batch):
            kept.update(self._renew_batch(leases[first:first + batch]))
        return kept

    def _renew_batch(self, leases: list[Lease]) -> dict[str, bool]:
        started = time.monotonic()
        replies = self._renew_many(keys=[self._key(lease.home_id) for lease in leases],
                                   args=[self.ttl_ms, *(lease.token for lease in leases)])
        kept = {}
        for lease, reply in zip(leases, replies):
            kept[lease.home_id] = reply == 1
            if reply == 1:
                lease.valid_until = started + self.ttl_ms / 1000
            else:
                self._forget_lease(lease)
        return kept

    def _forget_lease(self, lease: Lease) -> None:
        with self._lock:  # not a newer lease of the same home taken meanwhile
            if self._held.get(lease.home_id) is lease:
                del self._held[lease.home_id]

    def _give_back(self, lease: Lease) -> None:
        """A stale lease: forgotten, and deleted in Redis if it is still ours there, so it can be
        taken again with a new fence (by this replica or another)."""
        self._forget_lease(lease)
        self._release(keys=[self._key(lease.home_id)], args=[lease.token])

    def release(self, home_id: str) -> None:
        with self._lock:
            lease = self._held.pop(home_id, None)
        if lease is not None:
            self._release(keys=[self._key(home_id)], args=[lease.token])

    def forget(self, home_id: str) -> None:
        """Drop a lease we can no longer be sure of, without touching Redis."""
        with self._lock:
            self._held.pop(home_id, None)

    def owner_token(self, home_id: str) -> Optional[str]:
        value = self.client.get(self._key(home_id))
        return value.decode() if isinstance(value, bytes) else value

    def holder_of(self, home_id: str) -> Optional[str]:
        """The address of the replica holding the home's lease ("" if it gave none); None if free."""
        token = self.owner_token(home_id)
        return None if token is None else token.partition(" ")[2]

    def held(self) -> list[str]:
        with self._lock:
            return list(self._held)

    def holds(self, home_id: str) -> bool:
        """Whether this replica holds the lease and it cannot have expired yet."""
        with self._lock:
            lease = self._held.get(home_id)
        return lease is not None and not lease.stale and time.monotonic() < lease.valid_until

    def fence(self, home_id: str) -> int:
        """This replica's fence for the home; Conflict if it does not hold the lease."""
        with self._lock:
            lease = self._held.get(home_id)
        if lease is None or time.monotonic() >= lease.valid_until:  # unrenewed past its ttl: maybe taken
            raise Conflict(f"this replica does not own home {home_id!r}; its owner replica must make the change")
        if lease.stale:
            raise Conflict(f"this replica's ownership of home {home_id!r} was superseded (fence {lease.fence}); "
                           "retry: the home is taken again or served by its new owner")
        return lease.fence

    def refused(self, home_id: str, fence: int) -> None:
        """The store refused a commit with `fence`: another lease was taken since. Marks that lease
        stale (no I/O: the store calls this inside its transaction); `renew` gives it back."""
        with self._lock:
            lease = self._held.get(home_id)
            if lease is not None and lease.fence == fence:
                lease.stale = True

    def wait_acquire(self, home_id: str, timeout_s: float, poll_s: float = 0.05) -> Optional[Lease]:
        """Acquire as soon as the current holder's lease expires, within `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            lease = self.acquire(home_id)
            if lease is not None or time.monotonic() >= deadline:
                return lease
            time.sleep(poll_s)
