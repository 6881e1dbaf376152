"""Item 11: a member cannot write an unknown root or megabytes into the live document."""

from __future__ import annotations

import asyncio

from pycrdt import Map

from support import serving
from rules_helpers import demo_home_dir, demo_hub  # noqa: F401 - fixtures

from twinspace import access
from twinspace.server.app import create_app
from twinspace.sync.client import SyncClient
from twinspace.sync.guard import BUDGET_BYTES, MAX_UPDATE_BYTES

HOME = "demo-loft"


async def _closed(client: SyncClient, within_s: float = 5.0) -> int | None:
    await asyncio.wait_for(client.closed.wait(), within_s)
    return client.close_code


async def _scenario(url: str, token: str) -> dict[str, object]:
    sync = f"{url.replace('http', 'ws')}/api/v1/sync/{HOME}"
    seen: dict[str, object] = {}
    async with SyncClient(sync, token) as watcher:
        await watcher.synced.wait()
        biggest: list[int] = []
        watcher.doc.observe(lambda event: biggest.append(len(event.update)))

        async with SyncClient(sync, token) as evil:  # an unknown root
            await evil.synced.wait()
            evil.doc.get("scratch", type=Map)["blob"] = "x" * 200_000
            seen["unknown_root"] = await _closed(evil)

        async with SyncClient(sync, token) as evil:  # one message over the limit, in a known root
            await evil.synced.wait()
            evil.doc.get("panels", type=Map)["p-big"] = "x" * (MAX_UPDATE_BYTES + 1)
            seen["too_big"] = await _closed(evil)

        async with SyncClient(sync, token) as evil:  # 40 MB as a drip of messages under the limit
            await evil.synced.wait()
            panels = evil.doc.get("panels", type=Map)
            sent = 0
            for i in range(40 * 1024 * 1024 // (MAX_UPDATE_BYTES // 2)):
                if evil.closed.is_set():
                    break
                panels[f"junk-{i}"] = "x" * (MAX_UPDATE_BYTES // 2)
                sent += MAX_UPDATE_BYTES // 2
                await asyncio.sleep(0.01)
            seen["drip"] = await _closed(evil, 10)
            seen["drip_sent"] = sent
        await asyncio.sleep(0.5)
        seen["watcher_biggest"] = max(biggest, default=0)
        seen["watcher_open"] = not watcher.closed.is_set()

    async with SyncClient(sync, token) as fresh:  # what a new device downloads
        await fresh.synced.wait()
        await asyncio.sleep(0.3)
        seen["fresh_roots"] = set(fresh.doc.keys())
        seen["fresh_panels"] = set(fresh.doc.get("panels", type=Map).keys())
    return seen


def test_unknown_roots_and_floods_are_refused_and_the_socket_closed(demo_hub) -> None:
    token = access.issue_token(demo_hub.store, HOME, "sam", "Sam's Quest", device="quest-sam").token
    before = {p.id for p in demo_hub.home(HOME).panels}
    with serving(create_app(demo_hub)) as url:
        seen = asyncio.run(_scenario(url, token))
    assert seen["unknown_root"] == 1008
    assert seen["too_big"] == 1009
    assert seen["drip"] == 1009 and seen["drip_sent"] <= BUDGET_BYTES + MAX_UPDATE_BYTES
    assert seen["watcher_open"], "an honest client on the same home stays connected"
    assert seen["watcher_biggest"] <= MAX_UPDATE_BYTES, "nothing oversized was passed on to other peers"
    assert "scratch" not in seen["fresh_roots"]
    assert not any(k.startswith(("junk-", "p-big")) for k in seen["fresh_panels"])
    assert {p.id for p in demo_hub.home(HOME).panels} == before
