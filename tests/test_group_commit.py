"""Group commit (commit_line.py): concurrent changes of one home share durable commits,
each acknowledged only once committed, published in version order, none lost; a group
that cannot be committed fails with everything built on it, and the home goes on."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from twinspace.actions.registry import Caller
from twinspace.errors import Conflict
from twinspace.hub import HomeChange, Hub
from twinspace.store.sqlite import Store

HOME = "demo-loft"
THREADS, EACH = 8, 25


def _light(hub: Hub, caller: Caller, n: int, origin: str | None = None) -> object:
    return hub.apply(HOME, "device.light", {"device": "lamp-floor", "brightness": n % 100 + 1}, caller=caller,
                     origin=origin)


def test_concurrent_changes_are_grouped_acknowledged_after_commit_and_published_in_order(
        hub: Hub, owner: Caller, store: Store) -> None:
    v0 = hub.version(HOME)
    published: list[int] = []
    versions: dict[str, int] = {}  # origin tag -> the version its change became

    def listener(change: HomeChange) -> None:
        published.append(change.version)
        versions[change.origin or ""] = change.version

    hub.subscribe(listener)
    reader = Store(store.path)  # another connection sees only what is committed
    unseen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(w: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                if not _light(hub, owner, w * EACH + i, origin=f"{w}/{i}").changed:
                    continue  # the lamp was already at that brightness: nothing to commit
                mine = versions.get(f"{w}/{i}", -1)  # published before its caller hears back
                committed = reader.home_version(HOME) or 0
                if committed < mine or mine < 0:
                    unseen.append((mine, committed))
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    reader.close()
    assert not errors, errors
    total = len(versions)
    assert total > THREADS * EACH * 0.8
    assert published == list(range(v0 + 1, v0 + total + 1)), "every change published once, in version order"
    assert not unseen, f"acknowledged before another connection could see the commit: {unseen[:5]}"
    line = hub.line(HOME)
    assert line.changes == total and not line.busy
    assert line.groups < total, "concurrent changes never shared a commit"
    journal = store.journal(HOME, limit=total)
    assert [e.version for e in journal] == list(range(v0 + total, v0, -1))
    assert store.load_home(HOME)[1] == v0 + total


def test_a_group_that_cannot_commit_fails_with_what_was_built_on_it_and_the_home_goes_on(
        hub: Hub, owner: Caller, store: Store) -> None:
    """Another process (the CLI) commits while the hub's changes wait for the write lock: the
    hub's group and the changes queued behind it are refused with Conflict, never published;
    the next change builds on what the store holds and commits."""
    v0 = hub.version(HOME)
    published: list[HomeChange] = []
    hub.subscribe(published.append)
    other = Store(store.path)
    other.conn.execute("BEGIN IMMEDIATE")  # hold the write lock: the hub's first commit waits
    results: list[object] = []
    queued = threading.Event()

    def writer(n: int) -> None:
        try:
            _light(hub, owner, n)
            results.append("ok")
        except Conflict as e:
            results.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    line = hub.line(HOME)
    for _ in range(500):  # all five validated: one leading (waiting for the lock), four queued
        with line.lock:
            if line.head is not None and line.head[1] == v0 + 5:
                queued.set()
                break
        threading.Event().wait(0.01)
    assert queued.is_set(), "the changes never queued"
    other.conn.execute("UPDATE homes SET version = version + 1 WHERE id = ?", (HOME,))
    other.conn.execute("COMMIT")
    for t in threads:
        t.join(60)
    other.close()
    assert len(results) == 5 and all(isinstance(r, Conflict) for r in results), results
    assert published == []
    assert not line.busy and line.head is None
    _light(hub, owner, 42)
    assert hub.version(HOME) == v0 + 2 and store.load_home(HOME)[1] == v0 + 2
    assert [c.version for c in published] == [v0 + 2]
    assert hub.home(HOME).device_state("lamp-floor").brightness == 43


def test_undo_waits_for_queued_changes_and_undoes_the_newest(hub: Hub, owner: Caller) -> None:
    for n in range(3):
        _light(hub, owner, n)
    outcome = hub.undo(HOME, owner)
    assert outcome.args["args"]["brightness"] == 3
    assert hub.home(HOME).device_state("lamp-floor").brightness == 2


def test_commit_changes_writes_all_or_nothing(store: Store, demo_bundle) -> None:  # noqa: ANN001
    from twinspace.store.base import Change

    v = store.create_home(demo_bundle.home, demo_bundle.files)
    a = demo_bundle.home.model_copy(update={"name": "A"})
    b = demo_bundle.home.model_copy(update={"name": "B"})
    changes = [Change(a, demo_bundle.home, "x", {}, "to A", None, None), Change(b, a, "y", {}, "to B", None, None)]
    assert store.commit_changes(HOME, v, changes) == v + 2
    assert [(e.version, e.message) for e in store.journal(HOME, 2)] == [(v + 2, "to B"), (v + 1, "to A")]
    with pytest.raises(Conflict):
        store.commit_changes(HOME, v, changes)  # stale: nothing written
    assert store.load_home(HOME) == (b, v + 2)
    with pytest.raises(ValueError):
        store.commit_changes(HOME, v + 2, [])




def test_an_answer_read_from_a_queued_change_waits_until_it_is_durable(hub: Hub, owner: Caller, store: Store) -> None:
    """While a change waits for its commit, a request that changes nothing (the same
    brightness again) is answered only after that change is durable."""
    other = Store(store.path)
    other.conn.execute("BEGIN IMMEDIATE")  # the first change's commit waits for the lock
    answers: list[str] = []
    first = threading.Thread(target=lambda: (_light(hub, owner, 41), answers.append("first")))
    first.start()
    line = hub.line(HOME)
    for _ in range(500):
        with line.lock:
            if line.busy:
                break
        threading.Event().wait(0.01)
    same = threading.Thread(target=lambda: answers.append(
        "same unchanged" if not _light(hub, owner, 41).changed else "same changed"))
    same.start()
    same.join(0.5)
    assert answers == [], "answered before the change it was read from was committed"
    other.conn.execute("COMMIT")
    other.close()
    first.join(30)
    same.join(30)
    assert sorted(answers) == ["first", "same unchanged"]
    assert store.load_home(HOME)[0].device_state("lamp-floor").brightness == 42
