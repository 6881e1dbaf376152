"""Edits from Yjs clients share group commits (sync/edit_queue.py, commit_line.py).

Another connection holds SQLite's write lock, so the first change's commit waits while every
other edit (and a REST change) is validated and queued behind it: all of them must then land
in the group after it, each client's edits in its own order, none seen by any client before
it is durable, and an invalid edit among them refused alone, for the client that made it.
Commits are counted in the store (a group's journal entries share one commit time)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from functools import partial

import anyio
import httpx
import pytest
from pycrdt import Array, Map

from twinspace import access
from twinspace.hub import Hub
from twinspace.store.sqlite import Store
from twinspace.sync.client import SyncClient

pytestmark = pytest.mark.anyio

HOME = "demo-loft"
LIGHTS = ("lamp-floor", "light-ceiling", "light-pendant")
WRITERS = 4
ODD = 1  # this writer also asks a speaker for brightness: refused, between two valid edits


def _brightness(writer: int, light: int) -> int:
    return 10 * writer + light + 1  # every writer's levels differ: each edit changes its light


def _set(client: SyncClient, device: str, brightness: int) -> None:
    entity = client.doc.get("devices", type=Map)[device]
    entity["state"] = {**entity["state"], "on": True, "brightness": brightness}


async def _until(predicate, timeout: float = 10.0) -> None:  # noqa: ANN001
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.01)


async def test_concurrent_yjs_edits_share_commits_in_order_and_an_invalid_one_is_refused_alone(
        server, hub: Hub, store: Store) -> None:
    tokens = [access.issue_token(store, HOME, "alex", f"writer {w}", role="owner", device=f"writer-{w}").token
              for w in range(WRITERS)]
    rest_token = access.issue_token(store, HOME, "alex", "rest", role="owner", device="rest").token
    v0 = hub.version(HOME)
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(SyncClient(f"{server.ws}/{HOME}", t)) for t in tokens]
        for c in clients:
            await c.wait_for(lambda c=c: c.synced.is_set(), 10)
        other = Store(store.path)
        other.conn.execute("BEGIN IMMEDIATE")  # the first commit waits: the rest queue behind it
        try:
            for light, device in enumerate(LIGHTS):
                for w, client in enumerate(clients):
                    if w:  # after seeing the previous write (relayed at once): concurrent writes of
                        # one key would be settled by Yjs, the loser never reaching the hub as an edit
                        await client.wait_for(lambda c=client, d=device, b=_brightness(w - 1, light):
                                              c.doc.get("devices", type=Map)[d]["state"]["brightness"] == b)
                    _set(client, device, _brightness(w, light))
                    if w == ODD and light == 0:
                        _set(client, "speaker-lounge", 50)
            async with httpx.AsyncClient(base_url=f"{server.http}/api/v1/homes/{HOME}", timeout=30,
                                         headers={"Authorization": f"Bearer {rest_token}"}) as http, \
                    anyio.create_task_group() as tasks:
                tasks.start_soon(partial(http.post, "/actions/device.power",
                                         json={"args": {"device": "tv-lounge", "on": True}}))
                expected = WRITERS * len(LIGHTS) + 1
                line = hub.line(HOME)
                await _until(lambda: line.head is not None and line.head[1] == v0 + expected)
                await anyio.sleep(0.3)  # time to leak anything that is not durable yet
                for c in clients:
                    assert c.doc.get("home", type=Map)["version"] == v0, "a change was shown before it was durable"
                    assert c.doc.get("log", type=Array).to_py() == [], "a refusal was shown before its state was durable"
                other.conn.execute("COMMIT")
        finally:
            if other.conn.in_transaction:
                other.conn.execute("ROLLBACK")
            other.close()
        for c in clients:
            await c.wait_for(lambda c=c: c.doc.get("home", type=Map)["version"] == v0 + expected
                             and c.doc.get("log", type=Array).to_py(), 10)
        log = clients[0].doc.get("log", type=Array).to_py()
        speaker = {c.doc.get("devices", type=Map)["speaker-lounge"]["state"]["brightness"] for c in clients}
        seen = {d: {c.doc.get("devices", type=Map)[d]["state"]["brightness"] for c in clients} for d in LIGHTS}
    assert [(e["type"], e["path"], e["client"]) for e in log] == [
        ("rejected", "devices/speaker-lounge/state", clients[ODD].doc.client_id)]
    assert "not a light" in log[0]["reason"]
    assert speaker == {None}, "the refused edit was not set back for everyone it was relayed to"
    journal = sorted(store.journal(HOME, limit=expected + 5), key=lambda e: e.version)
    journal = [e for e in journal if e.version > v0]
    assert len(journal) == expected
    commits = len({e.at for e in journal})  # one commit time per group
    assert commits <= 2, f"{expected} changes took {commits} commits: they did not share"
    for w in range(WRITERS):
        mine = [(e.args["device"], e.args["brightness"]) for e in journal if e.device == f"writer-{w}"]
        assert mine == [(d, _brightness(w, i)) for i, d in enumerate(LIGHTS)], f"writer {w}: {mine}"
    assert [e.action for e in journal if e.device == "rest"] == ["device.power"]
    for device in LIGHTS:  # every client holds what was committed last
        last = [e.args["brightness"] for e in journal if e.args.get("device") == device][-1]
        assert hub.home(HOME).device_state(device).brightness == last and seen[device] == {last}
