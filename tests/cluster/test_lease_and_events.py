"""Home ownership leases and change streams against a real redis-server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis

from twinspace.cluster.events import Consumer, Gap, publish, stream_key
from twinspace.cluster.lease import Leases
from twinspace.errors import Conflict
from twinspace.store.postgres import PostgresStore


@pytest.fixture
def store(pg_url: str, tmp_path: Path):
    """The PostgreSQL store that issues the leases' fences."""
    s = PostgresStore(pg_url, path=tmp_path / "fences.db")
    yield s
    s.close()


def test_lease_acquire_renew_and_expire(client, store) -> None:
    a, b = Leases(client, issue_fence=store.issue_fence, ttl_ms=400), Leases(client, issue_fence=store.issue_fence,
                                                                              ttl_ms=400)
    first = a.acquire("h1")
    assert first is not None and b.acquire("h1") is None
    for _ in range(4):  # renewing keeps it past several ttls
        time.sleep(0.2)
        assert a.renew("h1")
    assert b.acquire("h1") is None
    time.sleep(0.6)  # a stops renewing: the lease expires
    second = b.acquire("h1")
    assert second is not None and second.fence > first.fence
    assert not a.renew("h1")  # the old owner learns it lost the lease, and cannot extend b's
    assert b.owner_token("h1") == second.token
    with pytest.raises(Conflict, match="does not own"):
        a.fence("h1")
    b.release("h1")
    assert a.acquire("h1") is not None


def test_takeover_within_five_seconds_of_the_owner_dying(client, store) -> None:
    owner, standby = (Leases(client, issue_fence=store.issue_fence, ttl_ms=2000),
                      Leases(client, issue_fence=store.issue_fence, ttl_ms=2000))
    assert owner.acquire("h2") is not None
    died = time.monotonic()  # the owner stops renewing (killed)
    lease = standby.wait_acquire("h2", timeout_s=5)
    took = time.monotonic() - died
    assert lease is not None and took < 5, took


def test_a_replica_that_lost_its_lease_cannot_commit(client, pg_url: str, tmp_path: Path, demo_bundle) -> None:
    store_a = PostgresStore(pg_url, path=tmp_path / "x.db")
    store_b = PostgresStore(pg_url, path=tmp_path / "x.db")
    a = Leases(client, issue_fence=store_a.issue_fence, ttl_ms=300)
    b = Leases(client, issue_fence=store_b.issue_fence, ttl_ms=300)
    store_a.fencing, store_b.fencing = a, b
    try:
        a.acquire("demo-loft")
        v = store_a.create_home(demo_bundle.home, demo_bundle.files)
        stale_lease = a._held["demo-loft"]
        time.sleep(0.5)  # a pauses past its ttl; b takes over and commits
        assert b.acquire("demo-loft") is not None
        changed = demo_bundle.home.model_copy(update={"name": "B owns it"})
        v = store_b.commit_change(changed, v, demo_bundle.home, action="x", args={}, message="m",
                                  person=None, device=None)
        # a wakes up still believing it holds its old lease (its clock paused with it)
        stale_lease.valid_until = time.monotonic() + 60
        a._held["demo-loft"] = stale_lease
        with pytest.raises(Conflict, match="no longer owns"):
            store_a.commit_change(demo_bundle.home, v, changed, action="y", args={}, message="m",
                                  person=None, device=None)
        assert store_b.load_home("demo-loft") == (changed, v)
    finally:
        store_a.close()
        store_b.close()


def test_consumer_resumes_after_a_dropped_connection_and_skips_nothing(client, redis_server) -> None:
    reader = redis.Redis.from_url(redis_server.url)
    consumer = Consumer(reader, "h3")
    seen = []
    for version in range(1, 51):
        publish(client, "h3", version, {"n": version})
        if version % 10 == 0:
            seen += [e.version for e in consumer.read(block_ms=100)]
        if version == 25:  # the server drops the reader's connection mid-way
            killed = client.client_kill_filter(_type="normal", skipme=True)
            assert killed >= 1
    while len(seen) < 50:
        got = consumer.read(block_ms=200)
        assert got, f"stopped at {seen[-1:]}"
        seen += [e.version for e in got]
    assert seen == list(range(1, 51))
    reader.close()


def test_streams_are_trimmed_and_a_consumer_behind_the_trim_is_told(client) -> None:
    behind = Consumer(client, "h4")
    publish(client, "h4", 1, {})
    assert [e.version for e in behind.read(block_ms=100)] == [1]
    for version in range(2, 3002):
        publish(client, "h4", version, {}, maxlen=100)
    assert client.xlen(stream_key("h4")) < 300  # approximate trimming: about 100, never all 3000
    with pytest.raises(Gap, match="expected version 2"):
        behind.read(block_ms=100)


def test_many_leases_renew_in_one_call_and_lost_ones_are_told(client, store) -> None:
    a = Leases(client, issue_fence=store.issue_fence, ttl_ms=300, holder="http://127.0.0.1:1")
    b = Leases(client, issue_fence=store.issue_fence, ttl_ms=300)
    for home in ("m1", "m2", "m3"):
        assert a.acquire(home) is not None
    assert a.holder_of("m1") == "http://127.0.0.1:1"
    time.sleep(0.2)
    assert a.renew_many(a.held()) == {"m1": True, "m2": True, "m3": True}
    client.delete("twinspace:home:m2:owner")  # m2's lease lapses (as if a was paused past its ttl)
    assert b.acquire("m2") is not None
    assert a.renew_many(a.held()) == {"m1": True, "m2": False, "m3": True}
    assert sorted(a.held()) == ["m1", "m3"] and a.holds("m1") and not a.holds("m2")


def test_a_lapsed_lease_nobody_took_is_retaken_and_a_taken_one_is_lost(client, store) -> None:
    from twinspace.cluster.ownership import Ownership

    mine = Ownership(client, "http://127.0.0.1:1", store.issue_fence, ttl_ms=400)
    other = Ownership(client, "http://127.0.0.1:2", store.issue_fence, ttl_ms=400)
    retaken, lost = [], []
    mine.on_retaken(retaken.append)
    mine.on_lost(lost.append)
    assert mine.owner("r1") is None and mine.owner("r2") is None  # both taken by `mine`
    assert other.owner("r1") == "http://127.0.0.1:1"
    mine.start()
    try:
        client.delete("twinspace:home:r1:owner", "twinspace:home:r2:owner")  # both lapse (a busy process)
        assert other.leases.acquire("r2") is not None  # ... and another replica takes r2 meanwhile
        deadline = time.monotonic() + 5
        while (not retaken or not lost) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (retaken, lost) == (["r1"], ["r2"])
        assert mine.leases.holds("r1") and not mine.leases.holds("r2")
        assert mine.owner("r2") == "http://127.0.0.1:2"
    finally:
        mine.close()


def test_a_renewal_that_failed_while_the_serving_path_took_a_newer_lease_is_not_a_loss(client, store) -> None:
    """A busy replica: its lease lapsed, and while the renewal of that lease was on its way the
    serving path found it lapsed and took a new one. The renewal's failure must not close the
    home's sockets (on a one-replica cluster nobody else could serve them)."""
    from twinspace.cluster.ownership import Ownership

    mine = Ownership(client, "http://127.0.0.1:1", store.issue_fence, ttl_ms=300)
    lost = []
    mine.on_lost(lost.append)
    assert mine.owner("r3") is None
    client.delete("twinspace:home:r3:owner")  # the lease lapsed
    renewed = mine.leases.renew_many(mine.leases.held())  # the renewing thread's round: r3 not renewed
    time.sleep(0.35)  # past the old lease's ttl: the serving path sees it lapsed ...
    assert mine.owner("r3") is None  # ... and takes a newer one
    mine._settle(renewed)  # the renewing thread finishes its round
    assert renewed == {"r3": False} and lost == []
    assert mine.leases.holds("r3")
