"""A whole cluster (PostgreSQL, Redis, HAProxy, three replicas) started by the test run: homes
are served by their owner whatever replica a request lands on, and neither the owner's crash
nor Redis losing its data loses anything. TWINSPACE_FAILOVER_TRIALS sets the number of kill -9
trials (bench/scale.py runs 20)."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest
from pycrdt import Map

from fences import HeldFence
from twinspace.cluster import failover
from twinspace.cluster.local import LocalCluster, missing_binaries
from twinspace.errors import Conflict
from twinspace.store.postgres import PostgresStore
from twinspace.sync.client import SyncClient

TRIALS = int(os.environ.get("TWINSPACE_FAILOVER_TRIALS", "3"))
HOME = "demo-loft"


@pytest.fixture(scope="module")
def cluster():
    missing = missing_binaries()
    if missing:
        pytest.skip(f"missing {', '.join(missing)}: run scripts/system-deps")
    run = LocalCluster(replicas=3).start()
    yield run
    run.stop()


@pytest.fixture(scope="module")
def token(cluster) -> str:
    return asyncio.run(failover.pair(cluster, HOME))


def test_every_replica_serves_the_home_through_its_owner(cluster, token) -> None:
    """Requests sent straight to each replica, bypassing the balancer, reach the one owner."""
    headers = {"Authorization": f"Bearer {token}"}
    for n, replica in enumerate(cluster.replicas):
        reply = httpx.post(f"{replica.url}/api/v1/homes/{HOME}/actions/device.light", headers=headers,
                           json={"args": {"device": "lamp-floor", "brightness": 10 + n}}, timeout=30)
        assert reply.status_code == 200, reply.text
        assert reply.json()["status"] == "applied"
    owner = failover.owner_of(cluster, HOME)
    assert owner in {r.url for r in cluster.replicas}
    for replica in cluster.replicas:
        home = httpx.get(f"{replica.url}/api/v1/homes/{HOME}", headers=headers, timeout=30).json()
        assert next(d for r in home["rooms"] for d in r["devices"] if d["id"] == "lamp-floor")["state"][
            "brightness"] == 12
    assert failover.owner_of(cluster, HOME) == owner  # the home did not move


def test_every_replica_serves_the_guide_and_playback_from_postgresql(cluster, token) -> None:
    """Content services run on the replicas: the lineup with now/next on each, a film played
    and paused through one replica, and the owner's continue watching through another."""
    headers = {"Authorization": f"Bearer {token}"}
    for replica in cluster.replicas:
        channels = httpx.get(f"{replica.url}/api/v1/homes/{HOME}/channels", headers=headers, timeout=30)
        assert channels.status_code == 200 and channels.json(), channels.text
    first, second = cluster.replicas[0].url, cluster.replicas[1].url

    def act(url: str, name: str, args: dict) -> None:
        reply = httpx.post(f"{url}/api/v1/homes/{HOME}/actions/{name}", headers=headers, json={"args": args},
                           timeout=30)
        assert reply.status_code == 200 and reply.json()["status"] == "applied", reply.text

    act(first, "playback.play", {"content": "vod:big-wave", "target": "tv-lounge"})
    act(first, "playback.seek", {"target": "tv-lounge", "position_s": 600})
    act(second, "playback.pause", {"target": "tv-lounge"})
    watching = httpx.get(f"{second}/api/v1/homes/{HOME}/continue-watching", headers=headers, timeout=30).json()
    assert watching and watching[0]["content"] == "vod:big-wave" and watching[0]["position_s"] >= 600, watching


def test_a_socket_on_a_non_owner_is_relayed_to_the_owner(cluster, token) -> None:
    owner = failover.owner_of(cluster, HOME) or ""
    other = next(r for r in cluster.replicas if r.url != owner)

    async def run() -> None:
        url = other.url.replace("http", "ws") + f"/api/v1/sync/{HOME}"
        async with SyncClient(url, token) as a, SyncClient(url, token) as b:
            await asyncio.wait_for(a.synced.wait(), 10)
            await asyncio.wait_for(b.synced.wait(), 10)
            version = a.doc.get("home", type=Map)["version"]
            async with httpx.AsyncClient(base_url=owner, headers={"Authorization": f"Bearer {token}"}) as http:
                reply = await http.post(f"/api/v1/homes/{HOME}/actions/device.light",
                                        json={"args": {"device": "lamp-floor", "brightness": 33}})
                assert reply.status_code == 200, reply.text
            for c in (a, b):
                await c.wait_for(lambda c=c: c.doc.get("home", type=Map)["version"] > version, timeout=10)

    asyncio.run(run())


def test_a_cli_change_reaches_live_clients_through_the_stream(cluster, token) -> None:
    """A change committed by another process (a CLI command) is delivered without polling."""
    from twinspace.actions.registry import Caller
    from twinspace.config import Settings
    from twinspace.runtime import open_hub

    async def run() -> None:
        url = cluster.url.replace("http", "ws") + f"/api/v1/sync/{HOME}"
        async with SyncClient(url, token) as c:
            await asyncio.wait_for(c.synced.wait(), 10)
            hub = await asyncio.to_thread(open_hub, Settings.from_env(cluster.env))
            try:
                home = hub.home(HOME)
                owner = Caller(home_id=HOME, person=home.owner_id(), role="owner")
                await asyncio.to_thread(hub.apply, HOME, "device.light",
                                        {"device": "lamp-floor", "brightness": 71}, caller=owner)
                version = hub.version(HOME)
            finally:
                hub.store.close()
                hub.cluster.close()
            await c.wait_for(lambda: c.doc.get("home", type=Map)["version"] >= version, timeout=10)

    asyncio.run(run())


def test_owner_killed_during_writes_loses_nothing_and_clients_converge(cluster, token) -> None:
    results = []
    for n in range(TRIALS):
        result = asyncio.run(failover.trial(cluster, token, HOME))
        results.append(result)
        assert not result.errors, (n, result)
        assert result.acked > 10 and result.lost == 0, (n, result)
        assert result.owner_after != result.owner_before, (n, result)
        assert result.converged_s is not None and result.converged_s < 5.0, (n, result)
        assert result.ghosts == 0 and result.present == 2, (n, result)  # each sees the 2 others, nobody else


@pytest.mark.parametrize("loss", ["flushall", "restart without persistence"])
def test_redis_losing_its_data_during_writes_loses_nothing_and_the_home_is_owned_again(cluster, token, loss,
                                                                                       tmp_path) -> None:
    """Leases, fence counters (had they been kept there) and streams all vanish at once; the
    fences are the store's, so the home is owned again, and a writer still holding the fence it
    had before is refused."""
    assert cluster.redis is not None and cluster.postgres is not None
    store = PostgresStore(cluster.postgres.url, path=tmp_path / "x.db")
    try:
        result = asyncio.run(failover.trial(
            cluster, token, HOME, disrupt=cluster.redis.flushall if loss == "flushall" else cluster.redis.restart))
        assert not result.errors, result
        assert result.acked > 10 and result.lost == 0, result
        assert result.recovered_s is not None and result.recovered_s < 5.0, result
        assert result.converged_s is not None and result.converged_s < 5.0, result
        assert result.owner_after in {r.url for r in cluster.replicas}, result
        assert result.ghosts == 0 and result.present == 2, result
        with store.reading() as c:
            now = c.execute("SELECT fence FROM home_fences WHERE home_id = ?", (HOME,)).fetchone()[0]
        store.fencing = HeldFence(now - 1)  # the fence of the owner before the loss (or older)
        home, version = store.load_home(HOME)
        with pytest.raises(Conflict, match="no longer owns"):
            store.commit_change(home, version, home, action="x", args={}, message="m", person=None, device=None)
    finally:
        store.close()
