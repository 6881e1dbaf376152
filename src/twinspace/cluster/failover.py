"""A failover drill on a running cluster: kill the owner of a home with SIGKILL during writes
(or make Redis lose its data: `disrupt`).

One trial: live clients are connected to the home through the load balancer and a writer
changes it as fast as its acknowledgements come back; once some changes are acknowledged
the owner replica is killed (`kill -9`). The writer keeps going; the clients reconnect as a
browser's y-websocket provider does. The trial reports the changes acknowledged and how many
of them the store lost, how long after the kill the first change was acknowledged again and
every client held a state at least as new as it, and the presence states still shown for
clients that no longer exist. The killed replica is started again for the next trial.

Used by tests/cluster/test_failover.py (assertions) and bench/scale.py (failover time).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import httpx
import redis
from pycrdt import Map

from twinspace.cluster.lease import Leases
from twinspace.cluster.local import LocalCluster
from twinspace.store.base import JOURNAL_KEEP
from twinspace.sync.client import SyncClient

DEVICE = "lamp-floor"


@dataclass
class Trial:
    acked: int = 0
    lost: int = 0
    recovered_s: Optional[float] = None  # kill → the first change acknowledged after it
    converged_s: Optional[float] = None  # kill → every client current; None: not within the bound
    ghosts: int = 0  # presence states of clients that no longer exist, 5 s after converging
    present: int = 0  # the fewest live clients any client sees present then (all others: clients - 1)
    owner_before: str = ""
    owner_after: str = ""
    failed: dict[str, int] = field(default_factory=dict)  # writes not applied: HTTP status or error -> count
    errors: list[str] = field(default_factory=list)


def owner_of(cluster: LocalCluster, home_id: str) -> Optional[str]:
    assert cluster.redis is not None
    client = redis.Redis.from_url(cluster.redis.url)
    try:
        return Leases(client).holder_of(home_id)
    finally:
        client.close()


async def pair(cluster: LocalCluster, home_id: str) -> str:
    """An owner token for the home (a pairing code made on the store, redeemed through the balancer)."""
    from twinspace import access
    from twinspace.config import Settings
    from twinspace.runtime import open_hub

    hub = await asyncio.to_thread(open_hub, Settings.from_env(cluster.env))
    try:
        code = await asyncio.to_thread(access.create_pairing_code, hub.store, home_id)
    finally:
        hub.store.close()
        hub.cluster.close()
    async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as http:
        reply = await http.post("/api/v1/pair", json={"code": code.code, "name": "failover drill"})
        reply.raise_for_status()
        return reply.json()["token"]


def _version(client: SyncClient) -> int:
    return int(client.doc.get("home", type=Map).get("version") or 0)


class _Live:
    """One client that reconnects whenever its socket closes (as y-websocket's provider does)."""

    def __init__(self, url: str, token: str, name: str) -> None:
        self.url, self.token, self.name = url, token, name
        self.client: Optional[SyncClient] = None
        self.task: Optional[asyncio.Task[None]] = None

    async def run(self) -> None:
        while True:
            try:
                client = SyncClient(self.url, self.token, presence={"name": self.name})
                await client.__aenter__()
                self.client = client
                await client.closed.wait()
            except Exception:  # the balancer has no live replica for a moment
                pass
            await asyncio.sleep(0.1)

    def held_version(self) -> int:
        """The home's version this client holds; -1 while it is not connected and synced."""
        c = self.client
        return _version(c) if c is not None and not c.closed.is_set() and c.synced.is_set() else -1

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.close()


async def trial(cluster: LocalCluster, token: str, home_id: str, *, clients: int = 3,
                before_kill: int = 10, after_kill_s: float = 3.0, bound_s: float = 15.0,
                disrupt: Optional[Callable[[], None]] = None) -> Trial:
    """`disrupt`: what happens instead of killing the owner (e.g. the cluster's Redis FLUSHALL).
    The writer stops after `after_kill_s`, or sooner once it has sent JOURNAL_KEEP writes: the
    losses are counted in the journal, which keeps that many."""
    result = Trial()
    sync_url = cluster.url.replace("http", "ws", 1) + f"/api/v1/sync/{home_id}"
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=cluster.url, headers=headers, timeout=10) as http:
        journal = (await http.get(f"/api/v1/homes/{home_id}/journal", params={"limit": 1})).json()
        start_version = journal[0]["version"] if journal else 0
        live = [_Live(sync_url, token, f"drill-{i}") for i in range(clients)]
        for c in live:
            c.task = asyncio.create_task(c.run())
        acked: list[int] = []
        acked_after_kill: list[int] = []
        killed_at: Optional[float] = None
        value = 0
        # What the clients hold, sampled while the writer runs: they may be current long before
        # it stops, and that moment is the convergence time.
        samples: list[tuple[float, int]] = []  # (when, the oldest version any client holds)

        async def sample() -> None:
            while True:
                samples.append((time.monotonic(), min(c.held_version() for c in live)))
                await asyncio.sleep(0.02)

        sampler = asyncio.create_task(sample())
        try:
            owner = owner_of(cluster, home_id)
            deadline = time.monotonic() + bound_s
            while owner is None and time.monotonic() < deadline:  # the first request makes an owner
                await http.get(f"/api/v1/homes/{home_id}")
                owner = owner_of(cluster, home_id)
            result.owner_before = owner or ""
            victim = cluster.replica_at(owner) if owner else None
            stop_at = None
            sent = 0
            while (stop_at is None or time.monotonic() < stop_at) and sent < JOURNAL_KEEP:
                value = value % 100 + 1
                sent += 1
                try:
                    reply = await http.post(f"/api/v1/homes/{home_id}/actions/device.light",
                                            json={"args": {"device": DEVICE, "brightness": value}})
                    if reply.status_code == 200 and reply.json()["status"] == "applied":
                        acked.append(value)
                        if killed_at is not None:
                            acked_after_kill.append(value)
                            if result.recovered_s is None:
                                result.recovered_s = time.monotonic() - killed_at
                    else:
                        why = f"{reply.status_code} {_detail(reply)}"
                        result.failed[why] = result.failed.get(why, 0) + 1
                        await asyncio.sleep(0.05)
                except httpx.HTTPError as e:
                    result.failed[type(e).__name__] = result.failed.get(type(e).__name__, 0) + 1
                    await asyncio.sleep(0.05)
                if killed_at is None and len(acked) >= before_kill and victim is not None:
                    await asyncio.to_thread(disrupt or victim.kill)
                    killed_at = time.monotonic()
                    stop_at = killed_at + after_kill_s
                if time.monotonic() > deadline + after_kill_s + bound_s:
                    result.errors.append("the writer ran past its bound")
                    break
            result.acked = len(acked)
            # Every acknowledged change is in the journal, in order (unacknowledged ones may be too).
            entries = (await http.get(f"/api/v1/homes/{home_id}/journal", params={"limit": JOURNAL_KEEP})).json()
            committed = [e["args"].get("brightness") for e in reversed(entries)
                         if e["version"] > start_version and e["action"] == "device.light"]
            result.lost = _missing_in_order(acked, committed)
            # Converged: every client holds at least the first version acknowledged after the kill.
            if killed_at is not None and acked_after_kill:
                first_after = _first_version_with(entries, start_version, acked, len(acked) - len(acked_after_kill))
                while time.monotonic() - killed_at < bound_s:
                    at = next((t for t, v in samples if t >= killed_at and v >= first_after), None)
                    if at is not None:
                        result.converged_s = at - killed_at
                        break
                    await asyncio.sleep(0.02)
            else:
                result.errors.append("no change was acknowledged after the kill")
            result.owner_after = owner_of(cluster, home_id) or ""
            if result.converged_s is not None:
                await asyncio.sleep(5.0)  # presence of clients from before the kill must be gone by now
                names = {c.name for c in live}
                result.present = len(live)
                for c in live:
                    seen = [s.get("name") for s in c.client.peers().values() if s] if c.client else []
                    others = set(seen) & (names - {c.name})
                    # one state per other live client; a second one of a name is its old connection's
                    result.ghosts += len(seen) - len(others)
                    result.present = min(result.present, len(others))
        finally:
            sampler.cancel()
            await asyncio.gather(sampler, return_exceptions=True)
            for c in live:
                await c.close()
            if killed_at is not None and victim is not None and disrupt is None:
                await asyncio.to_thread(victim.start)
                await asyncio.to_thread(victim.wait)
    return result


def _detail(reply: httpx.Response) -> str:
    """What a reply that did not apply the change says (the problem's detail, or its status)."""
    try:
        body = reply.json()
    except ValueError:
        return reply.text[:120]
    return str(body.get("detail") or body.get("status"))[:120] if isinstance(body, dict) else str(body)[:120]


def _missing_in_order(acked: list[int], committed: list[int]) -> int:
    """How many of `acked` are not found, in order, as a subsequence of `committed`."""
    missing, i = 0, 0
    for value in acked:
        j = i
        while j < len(committed) and committed[j] != value:
            j += 1
        if j == len(committed):
            missing += 1
        else:
            i = j + 1
    return missing


def _first_version_with(entries: list[dict], start_version: int, acked: list[int], index: int) -> int:
    """The journal version of the `index`-th acknowledged change (matched in order)."""
    ordered = [e for e in reversed(entries) if e["version"] > start_version and e["action"] == "device.light"]
    i = 0
    for n, value in enumerate(acked):
        while i < len(ordered) and ordered[i]["args"].get("brightness") != value:
            i += 1
        if n == index:
            return ordered[i]["version"] if i < len(ordered) else 0
        i += 1
    return 0
