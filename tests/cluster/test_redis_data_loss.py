"""Redis losing its data (restarted without persistence, FLUSHALL) against real servers: fences
never go back, a replica with an old fence is refused, ownership recovers, and the change
streams are read again from their new start instead of being skipped."""

from __future__ import annotations

import json
import queue
import threading
import time
from pathlib import Path

import pytest
import redis

from twinspace.cluster.events import Consumer, Gap, publish, stream_key
from twinspace.cluster.feed import ChangeFeed
from twinspace.cluster.lease import Leases
from twinspace.cluster.ownership import Ownership
from twinspace.errors import Conflict
from twinspace.store.postgres import PostgresStore

HOME = "demo-loft"


@pytest.fixture
def stores(pg_url: str, tmp_path: Path):
    """Two replicas' stores on one database, and the home created by a CLI command (unfenced)."""
    made = [PostgresStore(pg_url, path=tmp_path / "x.db") for _ in range(3)]
    yield made
    for s in made:
        s.close()


def _rename(store: PostgresStore, name: str) -> int:
    """One committed change; Conflict if this writer may not commit."""
    home, version = store.load_home(HOME)
    return store.commit_change(home.model_copy(update={"name": name}), version, home, action="rename",
                               args={"name": name}, message=name, person=None, device=None)


def _issued(store: PostgresStore) -> int:
    """The last fence the store issued for the home."""
    with store.reading() as c:
        return c.execute("SELECT fence FROM home_fences WHERE home_id = ?", (HOME,)).fetchone()[0]


def test_after_flushall_the_new_owner_commits_and_the_old_fence_is_refused(client, stores, demo_bundle) -> None:
    cli, store_a, store_b = stores
    cli.create_home(demo_bundle.home, demo_bundle.files)
    a = Leases(client, issue_fence=store_a.issue_fence, ttl_ms=2000)
    b = Leases(client, issue_fence=store_b.issue_fence, ttl_ms=2000)
    store_a.fencing, store_b.fencing = a, b
    assert a.acquire(HOME) is not None
    _rename(store_a, "a owns it")
    client.flushall()  # Redis forgets a's lease (and any counter it kept)
    assert b.acquire(HOME) is not None  # so b takes the home while a still believes it owns it
    assert a.holds(HOME) and b.fence(HOME) > a.fence(HOME)
    with pytest.raises(Conflict, match="no longer owns"):  # refused before b has even written
        _rename(store_a, "stale a")
    _rename(store_b, "b owns it")
    with pytest.raises(Conflict, match="superseded"):  # a's lease is stale now: no further attempt
        _rename(store_a, "stale a again")
    assert store_b.load_home(HOME)[0].name == "b owns it"
    assert [e.message for e in cli.journal(HOME)][:2] == ["b owns it", "a owns it"]


def test_when_the_lease_holder_got_the_older_fence_ownership_recovers_within_five_seconds(
        client, stores, demo_bundle) -> None:
    """The race Redis losing its data allows: a takes the lease, Redis forgets it, b takes it and
    its fence, and only then does a's fence arrive (higher). b holds the lease with a fence the
    store no longer accepts; it must not be refused forever."""
    cli, store_a, store_b = stores
    cli.create_home(demo_bundle.home, demo_bundle.files)
    asked, gate = threading.Event(), threading.Event()

    def slow_issue(home_id: str) -> int:  # a's fence request is slow to reach PostgreSQL
        asked.set()
        assert gate.wait(10)
        return store_a.issue_fence(home_id)

    a = Ownership(client, "http://127.0.0.1:1", slow_issue, ttl_ms=1000)
    b = Ownership(client, "http://127.0.0.1:2", store_b.issue_fence, ttl_ms=1000)
    store_a.fencing, store_b.fencing = a, b
    taking = threading.Thread(target=a.owner, args=(HOME,))
    taking.start()
    assert asked.wait(10)
    client.flushall()
    assert b.owner(HOME) is None  # b holds the lease in Redis...
    gate.set()
    taking.join(10)
    # ...with the older fence: a, whose lease Redis lost while its fence was issued, gave it up
    assert a.leases.held() == [] and b.leases.holds(HOME)
    assert b.leases.fence(HOME) < _issued(cli)
    a.start()
    b.start()
    try:
        began, committed = time.monotonic(), None
        while time.monotonic() - began < 5 and committed is None:
            for name, store in (("a", store_a), ("b", store_b)):
                try:
                    _rename(store, f"{name} owns it")
                    committed = name
                    break
                except Conflict:
                    pass
            time.sleep(0.05)
        assert committed is not None, "no replica could commit within 5 s"
        time.sleep(1.0)  # renewals run meanwhile: the home stays with the replica that committed
        holder = Leases(client).holder_of(HOME)
        assert holder == f"http://127.0.0.1:{1 if committed == 'a' else 2}", (committed, holder)
        with pytest.raises(Conflict):
            _rename(store_b if committed == "a" else store_a, "the other one")
        assert cli.load_home(HOME)[0].name == f"{committed} owns it"
    finally:
        a.close()
        b.close()


def _entries_ahead(client: "redis.Redis", stream: str, versions: range) -> None:
    """Entries whose ids come from a Redis whose clock ran an hour ahead of this one's."""
    ahead = int(time.time() * 1000) + 3_600_000
    for v in versions:
        client.xadd(stream, {"version": v, "data": json.dumps({})}, id=f"{ahead}-{v}")


def test_a_consumer_reads_a_stream_that_started_over_and_is_told_of_the_gap(client, redis_server) -> None:
    reader = redis.Redis.from_url(redis_server.url)
    try:
        consumer = Consumer(reader, "s1")
        _entries_ahead(client, stream_key("s1"), range(1, 4))
        assert [e.version for e in consumer.read(block_ms=100)] == [1, 2, 3]
        client.flushall()  # Redis comes back empty, on a clock behind the old ids
        publish(client, "s1", 4, {})
        with pytest.raises(Gap, match="started over"):  # what was published before the loss is gone
            consumer.read(block_ms=100)
        publish(client, "s1", 5, {})
        assert [e.version for e in consumer.read(block_ms=100)] == [5]
    finally:
        reader.close()


def test_the_change_feed_goes_on_after_redis_lost_its_data(client, redis_server) -> None:
    reader = redis.Redis.from_url(redis_server.url)
    got: "queue.Queue[tuple[list, set]]" = queue.Queue()
    feed = ChangeFeed(reader, lambda events, gaps: got.put((events, gaps)), block_ms=100)
    _entries_ahead(client, stream_key("f1"), range(1, 4))
    feed.follow("f1")  # from the newest entry, an hour ahead
    feed.start()
    try:
        client.flushall()
        publish(client, "f1", 4, {})
        publish(client, "f1", 5, {})
        seen, gaps = [], set()
        deadline = time.monotonic() + 5
        while seen[-1:] != [5] and time.monotonic() < deadline:
            try:
                events, new_gaps = got.get(timeout=0.2)
            except queue.Empty:
                continue
            seen += [e.version for e in events]
            gaps |= new_gaps
        assert (seen, gaps) == ([4, 5], {"f1"})  # read from the new start, and told to reload
        publish(client, "f1", 6, {})
        events, new_gaps = got.get(timeout=5)
        assert ([e.version for e in events], new_gaps) == ([6], set())
    finally:
        feed.stop()
        reader.close()
