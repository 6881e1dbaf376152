"""The cowatch WebSocket against the real app: who may connect, the clock exchange, scheduled
commands reaching every member of a watch group at the same moment, corrections, leaving."""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from twinspace.actions.registry import Caller
from twinspace.hub import Hub

HOME = "/api/v1/homes/demo-loft"


def until(ws: Any, kind: str, limit: int = 20) -> dict[str, Any]:
    """The next message of `kind` (others, like member updates, are read past)."""
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message in {limit}")


def both(ws: Any, *kinds: str, limit: int = 20) -> dict[str, dict[str, Any]]:
    """The first message of each of `kinds`, in whatever order they come."""
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(limit):
        message = ws.receive_json()
        seen.setdefault(message["type"], message)
        if all(k in seen for k in kinds):
            return seen
    raise AssertionError(f"not all of {kinds} in {limit} messages")


def act(client: TestClient, token: str, action: str, args: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"{HOME}/actions/{action}", json={"args": args}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


def closed_with(client: TestClient, url: str) -> int:
    with pytest.raises(WebSocketDisconnect) as e:
        with client.websocket_connect(url) as ws:
            ws.receive_json()
    return e.value.code


def test_only_the_homes_devices_may_join_and_only_what_plays(client: TestClient, hub: Hub,
                                                            token: Callable[..., str], playing: str) -> None:
    from twinspace.demo import write_demo_home  # a second home on the same hub
    from twinspace.home.homefile import read_home_dir
    bundle = read_home_dir(write_demo_home(hub.store.path.parent / "other", hub.clock()))
    other = bundle.home.model_copy(update={"id": "other-home"})
    hub.import_bundle(bundle.__class__(**{**bundle.__dict__, "home": other}))
    assert closed_with(client, f"/api/v1/cowatch/demo-loft?target={playing}") == 4401
    assert closed_with(client, f"/api/v1/cowatch/demo-loft?target={playing}&token=nope") == 4401
    assert closed_with(client, f"/api/v1/cowatch/demo-loft?target={playing}&token={token(home='other-home')}") == 4403
    assert closed_with(client, f"/api/v1/cowatch/demo-loft?token={token()}") == 4400
    assert closed_with(client, f"/api/v1/cowatch/demo-loft?target=tv-lounge&token={token()}") == 4404


def test_a_group_hears_each_command_for_the_same_moment(client: TestClient, token: Callable[..., str],
                                                         playing: str) -> None:
    alex = token("alex")
    started = act(client, alex, "cowatch.start", {"target": playing, "with": ["tv-lounge"]})
    assert started["result"] == {"group": "g1", "targets": [playing, "tv-lounge"]}
    url = "/api/v1/cowatch/demo-loft?token={}&target={}"
    with client.websocket_connect(url.format(alex, playing)) as quest, \
            client.websocket_connect(url.format(token("sam"), "tv-lounge")) as tv:
        welcome = until(quest, "welcome")
        assert welcome["correction"] is True
        first = until(quest, "timeline")["timeline"]
        assert first["content"] == "vod:big-wave" and first["playing"] and not first["live"]
        assert until(tv, "timeline")["timeline"] == first  # one timeline for the whole group
        members = until(quest, "members")
        while len(members["members"]) < 2:
            members = until(quest, "members")
        assert {m["target"] for m in members["members"]} == {playing, "tv-lounge"}
        assert members["group"] == "group:g1"

        t0 = time.time()
        quest.send_json({"type": "ping", "t0": t0})
        pong = until(quest, "pong")
        t3 = time.time()
        assert pong["t0"] == t0 and t0 <= pong["t1"] <= pong["t2"] <= t3  # one clock here: the offset is ~0
        quest.send_json({"type": "clock", "t0": t0, "t1": pong["t1"], "t2": pong["t2"], "t3": t3})

        sent = time.time()
        act(client, alex, "playback.pause", {"target": "tv-lounge"})  # from REST, on the other target
        on_quest, on_tv = until(quest, "timeline"), until(tv, "timeline")
        assert on_quest == on_tv
        assert not on_quest["timeline"]["playing"]
        assert sent < on_quest["at"] < sent + 1.5  # scheduled ahead, within the bound

        quest.send_json({"type": "play"})  # a member's own command goes through the hub too
        assert both(quest, "done", "timeline")["done"]["action"] == "playback.resume"
        resumed = until(tv, "timeline")
        assert resumed["timeline"]["playing"]
        assert resumed["timeline"]["position"] == pytest.approx(on_quest["timeline"]["position"])

        at = time.time()
        right = resumed["timeline"]["position"] + max(0.0, at - resumed["at"])
        quest.send_json({"type": "report", "position": right + 0.04, "at": at, "advancing": True})
        nudge = until(quest, "correct")
        assert not nudge["seek"] and 0.95 <= nudge["rate"] < 1.0  # 40 ms ahead: slow down a little
        quest.send_json({"type": "report", "position": right - 3.0, "at": at, "advancing": True})
        assert until(quest, "correct")["seek"]

        quest.send_json({"type": "seek", "position": 600})
        until(quest, "done")
        sought = until(tv, "timeline")["timeline"]
        assert sought["position"] == pytest.approx(600)

        tv.send_json({"type": "leave"})
        got = both(tv, "done", "timeline")
        assert got["done"]["action"] == "cowatch.leave"
        alone = got["timeline"]  # its own timeline now
        assert alone["timeline"]["position"] == pytest.approx(600, abs=2)
        left = until(quest, "members")
        assert [m["target"] for m in left["members"]] == [playing]


def test_bad_messages_are_answered_and_the_connection_lives_on(client: TestClient, token: Callable[..., str],
                                                               playing: str) -> None:
    with client.websocket_connect(f"/api/v1/cowatch/demo-loft?token={token()}&target={playing}") as ws:
        ws.send_text("not json")
        assert "a message is a JSON object" in until(ws, "error")["detail"]
        ws.send_json({"type": "dance"})
        assert "unknown message type" in until(ws, "error")["detail"]
        ws.send_json({"type": "report", "position": "x", "at": 1})
        assert "position must be a number" in until(ws, "error")["detail"]
        ws.send_json({"type": "ping", "t0": 1.0})
        assert until(ws, "pong")["t0"] == 1.0


def test_closing_the_panel_ends_its_timeline(client: TestClient, hub: Hub, owner: Caller,
                                             token: Callable[..., str], playing: str) -> None:
    with client.websocket_connect(f"/api/v1/cowatch/demo-loft?token={token()}&target={playing}") as ws:
        until(ws, "timeline")
        hub.apply("demo-loft", "panel.close", {"panel": playing}, caller=owner)
        assert playing in until(ws, "ended")["reason"]
