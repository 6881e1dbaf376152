"""Edits from Yjs clients share group commits (sync/edit_queue.py, commit_line.py).

Another connection holds SQLite's write lock, so the first change's commit waits while every
other edit (and a REST change) is validated and queued behind it: all of them must then land
in the group after it, each client's edits in its own order, none seen by another client (nor
its new version by anyone) before it is durable, and an invalid edit among them refused alone.
Each writer has lights of its own, so no two clients write one key at once (Yjs would settle
that before the hub saw it). Commits are counted in the store (a group's journal entries share
one commit time)."""

from __future__ import annotations

import threading
from contextlib import AsyncExitStack
from functools import partial

import anyio
import httpx
import pytest
from pycrdt import Array, Map

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.home.homefile import HomeBundle
from twinspace.home.model import Device
from twinspace.hub import Hub
from twinspace.store.sqlite import Store
from twinspace.sync.client import SyncClient

from sync_helpers import LiveServer

pytestmark = pytest.mark.anyio

HOME = "demo-loft"
WRITERS, EACH = 4, 3
ODD = 1  # this writer also asks a speaker for brightness: refused, between two valid edits


def _light(writer: int, n: int) -> str:
    return f"own-light-{writer}-{n}"


def _brightness(writer: int, n: int) -> int:
    return 10 * writer + n + 1


@pytest.fixture
def lit(hub: Hub, demo_bundle: HomeBundle) -> Hub:
    """The demo home with EACH lights of its own for every writer."""
    home = demo_bundle.home.model_copy(deep=True)
    home.room("lounge").devices.extend(Device(id=_light(w, n), kind="light", name=f"Light {w}.{n}")
                                       for w in range(WRITERS) for n in range(EACH))
    hub.import_bundle(HomeBundle(home, demo_bundle.files), replace=True)
    return hub


def _set(client: SyncClient, device: str, brightness: int) -> None:
    entity = client.doc.get("devices", type=Map)[device]
    entity["state"] = {**entity["state"], "on": True, "brightness": brightness}


def _levels(client: SyncClient) -> dict[str, object]:
    devices = client.doc.get("devices", type=Map)
    return {d: devices[d]["state"]["brightness"] for d in devices.keys() if d.startswith("own-light-")}


def _speaker(client: SyncClient) -> object:
    return client.doc.get("devices", type=Map)["speaker-lounge"]["state"]["brightness"]


async def _until(predicate, timeout: float = 10.0) -> None:  # noqa: ANN001
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.01)


async def test_concurrent_yjs_edits_share_commits_in_order_and_an_invalid_one_is_refused_alone(
        lit: Hub, store: Store) -> None:
    hub = lit
    tokens = [access.issue_token(store, HOME, "alex", f"writer {w}", role="owner", device=f"writer-{w}").token
              for w in range(WRITERS)]
    rest_token = access.issue_token(store, HOME, "alex", "rest", role="owner", device="rest").token
    v0 = hub.version(HOME)
    async with AsyncExitStack() as stack:
        server = stack.enter_context(LiveServer(hub))
        clients = [await stack.enter_async_context(SyncClient(f"{server.ws}/{HOME}", t)) for t in tokens]
        for c in clients:
            await c.wait_for(lambda c=c: c.synced.is_set(), 10)
        other = Store(store.path)
        other.conn.execute("BEGIN IMMEDIATE")  # the first commit waits: the rest queue behind it
        try:
            for n in range(EACH):
                for w, client in enumerate(clients):
                    _set(client, _light(w, n), _brightness(w, n))
                    if w == ODD and n == 0:
                        _set(client, "speaker-lounge", 50)
            async with httpx.AsyncClient(base_url=f"{server.http}/api/v1/homes/{HOME}", timeout=30,
                                         headers={"Authorization": f"Bearer {rest_token}"}) as http, \
                    anyio.create_task_group() as tasks:
                tasks.start_soon(partial(http.post, "/actions/device.power",
                                         json={"args": {"device": "tv-lounge", "on": True}}))
                expected = WRITERS * EACH + 1
                line = hub.line(HOME)
                await _until(lambda: line.head is not None and line.head[1] == v0 + expected)
                await anyio.sleep(0.3)  # time to leak anything that is not durable yet
                for c in clients:
                    assert c.doc.get("home", type=Map)["version"] == v0, "a change was shown before it was durable"
                    assert c.doc.get("log", type=Array).to_py() == [], "a refusal was shown too soon"
                    assert _levels(c) == {_light(w, n): (_brightness(w, n) if c is clients[w] else None)
                                          for w in range(WRITERS) for n in range(EACH)}, \
                        "another client's edit was relayed before it was durable"
                    assert _speaker(c) == (50 if c is clients[ODD] else None)
                other.conn.execute("COMMIT")
        finally:
            if other.conn.in_transaction:
                other.conn.execute("ROLLBACK")
            other.close()
        for c in clients:
            await c.wait_for(lambda c=c: c.doc.get("home", type=Map)["version"] == v0 + expected
                             and c.doc.get("log", type=Array).to_py(), 10)
        log = clients[0].doc.get("log", type=Array).to_py()
        speaker = {_speaker(c) for c in clients}
        for c in clients:
            await c.wait_for(lambda c=c: _levels(c) == {_light(w, n): _brightness(w, n)
                                                        for w in range(WRITERS) for n in range(EACH)})
    assert [(e["type"], e["path"], e["client"]) for e in log] == [
        ("rejected", "devices/speaker-lounge/state", clients[ODD].doc.client_id)]
    assert "not a light" in log[0]["reason"]
    assert speaker == {None}, "the refused edit was not set back for its sender"
    journal = sorted(store.journal(HOME, limit=expected + 5), key=lambda e: e.version)
    journal = [e for e in journal if e.version > v0]
    assert len(journal) == expected
    commits = len({e.at for e in journal})  # one commit time per group
    assert commits <= 2, f"{expected} changes took {commits} commits: they did not share"
    for w in range(WRITERS):
        mine = [(e.args["device"], e.args["brightness"]) for e in journal if e.device == f"writer-{w}"]
        assert mine == [(_light(w, n), _brightness(w, n)) for n in range(EACH)], f"writer {w}: {mine}"
    assert [e.action for e in journal if e.device == "rest"] == ["device.power"]


async def test_edits_queued_when_the_hub_stops_still_commit_and_the_home_goes_on(
        lit: Hub, store: Store) -> None:
    """Every queued change needs a waiter to lead its group: a room that closes while its
    clients' edits wait for a commit must still land them, or the home's later changes hang."""
    hub = lit
    token = access.issue_token(store, HOME, "alex", "writer", role="owner", device="writer-0").token
    v0 = hub.version(HOME)
    other = Store(store.path)
    other.conn.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: other.conn.execute("COMMIT"))
    try:
        with LiveServer(hub) as server:
            async with SyncClient(f"{server.ws}/{HOME}", token) as client:
                await client.wait_for(client.synced.is_set, 10)
                for n in range(EACH):
                    _set(client, _light(0, n), _brightness(0, n))
                line = hub.line(HOME)
                await _until(lambda: line.head is not None and line.head[1] == v0 + EACH)
            release.start()  # the commit can go on only after the server began to stop
    finally:
        release.join(10)
        other.close()
    assert not hub.line(HOME).busy
    assert [e.args["device"] for e in sorted(store.journal(HOME, EACH), key=lambda e: e.version)] == [
        _light(0, n) for n in range(EACH)]
    done = threading.Thread(target=hub.apply, args=(HOME, "device.light", {"device": "lamp-floor", "brightness": 9}),
                            kwargs={"caller": Caller(home_id=HOME, person="alex", role="owner")}, daemon=True)
    done.start()
    done.join(10)
    assert not done.is_alive(), "a change after the room closed hangs in the commit line"
    assert hub.version(HOME) == v0 + EACH + 1
