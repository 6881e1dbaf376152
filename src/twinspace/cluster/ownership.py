"""Which replica serves each home: its lease, taken on first use, renewed, given up when lost.

A replica owns a home while it holds the home's lease (cluster/lease.py). `owner(home)` takes
a free lease, or names the replica holding it so the request can be forwarded there. A
background thread renews every held lease several times per ttl; a lease that could not be
renewed in time is reported lost (`on_lost`), so the replica drops what it serves for the
home. `fence` and `refused` are the store's fencing (store.postgres.Fencing): commits for homes
this replica does not hold are refused, and a lease whose fence the store refused is taken
again with a new fence when nobody else holds it (after Redis lost its data, two replicas may
have taken the same home; the store's newest fence decides, the other gives it up).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Optional

import redis

from twinspace.cluster.lease import IssueFence, Leases
from twinspace.errors import Conflict

log = logging.getLogger(__name__)
DEFAULT_TTL_MS = 2000  # an owner that died is replaced within ttl + one renew period (< 5 s)


class Ownership:
    def __init__(self, client: "redis.Redis", address: str, issue_fence: IssueFence, *,
                 ttl_ms: int = DEFAULT_TTL_MS) -> None:
        if " " in address:
            raise ValueError(f"a replica address has no spaces: {address!r}")
        self.address = address
        self.leases = Leases(client, issue_fence=issue_fence, ttl_ms=ttl_ms, holder=address)
        self._lost: list[Callable[[str], None]] = []
        self._retaken: list[Callable[[str], None]] = []
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def on_lost(self, callback: Callable[[str], None]) -> None:
        """`callback(home_id)` runs, on the thread that noticed (renewing or serving), when a lease is lost."""
        self._lost.append(callback)

    def on_retaken(self, callback: Callable[[str], None]) -> None:
        """`callback(home_id)` runs, on the thread that noticed, when a lapsed or stale lease was taken again."""
        self._retaken.append(callback)

    def owner(self, home_id: str) -> Optional[str]:
        """None if this replica owns the home (taking its lease when free); else the owner's address."""
        if self.leases.holds(home_id):
            return None
        had = home_id in self.leases.held()
        if had and self.leases.renew(home_id):
            return None  # renewed late (a busy process), but nobody took it meanwhile: still ours
        for _ in range(3):  # the holder's lease may lapse between our SET NX and our GET
            if self.leases.acquire(home_id) is not None:
                if had:  # lapsed or stale: another writer may have got in between
                    self._tell(self._retaken, home_id)
                log.info("this replica now owns home %s", home_id)
                return None
            holder = self.leases.holder_of(home_id)
            if holder is not None:
                if holder == self.address:  # our renewing thread took it meanwhile, or our previous life did
                    if self.leases.holds(home_id) or self.take_over(home_id, holder):
                        return None
                if had:
                    self._tell(self._lost, home_id)
                return holder
        raise Conflict(f"the owner of home {home_id!r} keeps changing; try again")

    def take_over(self, home_id: str, gone: str) -> bool:
        """The owner at `gone` does not answer: wait for its lease to lapse and take it.
        False if yet another replica took it first (or `gone` still renews it)."""
        deadline = time.monotonic() + self.leases.ttl_ms / 1000 + 1.0
        while time.monotonic() < deadline:
            if self.leases.holds(home_id):  # taken by this replica's other thread meanwhile
                return True
            if self.leases.acquire(home_id) is not None:
                log.warning("took over home %s from %s, which stopped answering", home_id, gone)
                return True
            if self.leases.holder_of(home_id) not in (None, gone):
                return False
            time.sleep(0.05)
        return False

    def fence(self, home_id: str) -> int:
        """The store's fence callable: this replica's fence for the home, taking a free lease;
        Conflict if another replica owns it."""
        if not self.leases.holds(home_id):
            owner = self.owner(home_id)
            if owner is not None:
                raise Conflict(f"home {home_id!r} is served by the replica at {owner}; send the change there")
        return self.leases.fence(home_id)

    def refused(self, home_id: str, fence: int) -> None:
        """The store refused `fence` (a newer one was issued): the lease is given back at the
        next renewal and taken again if nobody else holds it."""
        self.leases.refused(home_id, fence)

    # --- renewing ---------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._renew_loop, name="twinspace leases", daemon=True)
            self._thread.start()

    def _renew_loop(self) -> None:
        period = self.leases.ttl_ms / 4000
        while not self._stop.wait(period):
            held = self.leases.held()
            began = time.monotonic()
            try:
                renewed = self.leases.renew_many(held)
            except redis.RedisError as e:
                log.warning("renewing this replica's leases failed: %s", e)
                renewed = {h: self.leases.holds(h) for h in held}  # Redis away: ours only until the ttl runs out
                for home_id in [h for h, kept in renewed.items() if not kept]:
                    self.leases.forget(home_id)
            if time.monotonic() - began > period:
                log.warning("renewing %d leases took %.1f s", len(held), time.monotonic() - began)
            self._settle(renewed)

    def _settle(self, renewed: dict[str, bool]) -> None:
        """After a round of renewals: a lease that could not be renewed is retaken if nobody
        holds it, and told lost only if this replica holds no newer lease of the home either
        (the serving path takes one when it finds the old lease lapsed, possibly while the
        old one's renewal was on its way: that is not a loss, and its sockets stay open)."""
        for home_id in [h for h, kept in renewed.items() if not kept]:
            if self.leases.holds(home_id) or self._retake(home_id):
                continue
            log.warning("this replica lost home %s's lease; another replica serves it now", home_id)
            self._tell(self._lost, home_id)

    def _retake(self, home_id: str) -> bool:
        """A lease that lapsed because this process was too busy to renew it in time (or that Redis
        lost, or whose fence the store refused), and that nobody took meanwhile, is taken again
        (a new fence) rather than dropped; its live document then catches up with the store in
        case another writer got in between."""
        try:
            if self.leases.acquire(home_id) is None:
                return False
        except redis.RedisError:
            return False
        except Exception:  # the store could not issue a fence (PostgreSQL away): the home is lost for now
            log.exception("retaking the lease of home %s failed", home_id)
            return False
        log.warning("the lease of home %s lapsed before it was renewed (or its fence was refused); retaken",
                    home_id)
        self._tell(self._retaken, home_id)
        return True

    @staticmethod
    def _tell(callbacks: list[Callable[[str], None]], home_id: str) -> None:
        for callback in list(callbacks):
            try:
                callback(home_id)
            except Exception:  # one listener failing must not stop the renewals
                log.exception("a lease listener failed")

    def close(self) -> None:
        """Stop renewing and give every lease back, so other replicas take the homes at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for home_id in self.leases.held():
            try:
                self.leases.release(home_id)
            except redis.RedisError:
                pass  # it lapses by itself
