"""The document's contract as plain data: its shape, edits as actions, presence stamping."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from pycrdt import Doc, read_message

from twinspace.hub import Hub
from twinspace.sync.edits import Call, Refused, calls_for
from twinspace.sync.presence import Identity, Presence, decode, encode, viewer_from
from twinspace.sync.shape import ROOTS, project, same

HOME = "demo-loft"
PANEL = {"id": "p1", "content": "app:photos", "room": "lounge", "surface": "lounge/wall-west",
         "pose": {"position": [-3.49, 1.45, 0.0], "rotation": [0, 0.7071068, 0, 0.7071068]},
         "size": [1.07, 0.6], "size_preset": "medium", "owner": "alex", "created_at": None}
LAMP = {"id": "lamp-floor", "room": "lounge", "kind": "light", "name": "Floor lamp", "model": None,
        "pose": None, "size": None, "state": {"on": False, "brightness": None, "playing": None, "app": None,
                                               "volume": None, "muted": None, "available": None}}
PLAYING = {"content": "channel:news", "playing": True, "position_s": 10.0, "updated_at": None, "volume": 50,
           "muted": False, "person": "alex"}


def calls(root: str, key: str, before: Optional[dict], after: Any, touched: Optional[set[str]] = None,
          actions: tuple[str, ...] = ()) -> list[tuple[str, dict]]:
    found = calls_for(root, key, before, after, None if touched is None else frozenset(touched),
                      lambda name: name in actions)
    return [(c.action, c.args) for c in found]


def edited(base: dict, **changes: Any) -> dict:
    return {**base, **changes}


def test_the_document_holds_every_root_with_every_key(hub: Hub) -> None:
    snapshot = project(hub.home(HOME), 7)
    assert set(snapshot) == set(ROOTS)
    assert snapshot["home"] == {"id": HOME, "name": "Demo loft", "kind": "home", "owner": "alex", "version": 7}
    assert snapshot["seats"] == {}
    assert snapshot["devices"]["lamp-floor"] == {**LAMP, "pose": snapshot["devices"]["lamp-floor"]["pose"]}
    assert "bridge" not in snapshot["devices"]["tv-lounge"]  # hub-side wiring stays on the hub
    assert set(snapshot["rooms"]["lounge"]) == {"id", "name", "height", "floor", "surfaces"}
    assert snapshot["people"]["sam"] == {"id": "sam", "name": "Sam"}


def test_same_is_yjs_equality() -> None:
    assert same([1, 2.0], [1.0, 2]) and same({"a": None}, {"a": None})
    assert not same(True, 1) and not same({"a": 1}, {"a": 1, "b": 2}) and not same([1], (1, 2))


def test_panel_edits_become_panel_actions() -> None:
    moved = edited(PANEL, pose={"position": [-3.49, 1.5, 1.0], "rotation": [0, 0.7071068, 0, 0.7071068]})
    assert calls("panels", "p1", PANEL, moved, {"pose"}) == [
        ("panel.pose", {"panel": "p1", "position": [-3.49, 1.5, 1.0], "rotation": [0, 0.7071068, 0, 0.7071068],
                        "surface": "lounge/wall-west"})]
    floated = edited(PANEL, surface=None)
    assert calls("panels", "p1", PANEL, floated, {"surface"})[0][1]["floating"] is True
    assert calls("panels", "p1", PANEL, edited(PANEL, size_preset="large"), {"size_preset"}) == [
        ("panel.resize", {"panel": "p1", "size": "large"})]
    assert calls("panels", "p1", PANEL, None) == [("panel.close", {"panel": "p1"})]
    assert calls("panels", "new:1", None, {"content": "app:photos", "placement": {"side": "left"}}) == [
        ("panel.open", {"content": "app:photos", "placement": {"side": "left"}})]
    assert calls("panels", "p1", PANEL, dict(PANEL), {"pose"}) == []  # written back unchanged


def test_only_touched_fields_count() -> None:
    """A field the hub changed meanwhile is not the client's edit, even if its copy is older."""
    stale = edited(PANEL, pose={"position": [0, 0, 0], "rotation": [0, 0, 0, 1]}, size_preset="small")
    assert calls("panels", "p1", PANEL, stale, {"size_preset"}) == [("panel.resize", {"panel": "p1", "size": "small"})]


@pytest.mark.parametrize("root, key, before, after, touched, path, reason", [
    ("panels", "p1", PANEL, edited(PANEL, size=[9, 9]), {"size"}, "panels/p1/size", "set by the hub"),
    ("panels", "p1", PANEL, edited(PANEL, content="app:music"), {"content"}, "panels/p1/content", "no playback.play"),
    ("panels", "p1", PANEL, "not a map", None, "panels/p1", "must be a map"),
    ("panels", "p1", PANEL, edited(PANEL, pose=None), {"pose"}, "panels/p1/pose", "{position, rotation}"),
    ("panels", "new:1", None, {"content": "app:photos", "pose": {}}, None, "panels/new:1", "unexpected: pose"),
    ("devices", "lamp-floor", LAMP, None, None, "devices/lamp-floor", "cannot be deleted"),
    ("devices", "lamp-floor", LAMP, edited(LAMP, name="x"), {"name"}, "devices/lamp-floor/name", "set by the hub"),
    ("devices", "lamp-floor", LAMP, edited(LAMP, state={**LAMP["state"], "playing": "channel:x"}), {"state"},
     "devices/lamp-floor/state/playing", "playback.play"),
    ("playback", "p9", None, PLAYING, None, "playback/p9", "cannot be added"),
    ("playback", "p1", PLAYING, edited(PLAYING, playing=False), {"playing"}, "playback/p1/playing",
     "no playback.pause action"),
    ("rooms", "lounge", {}, {"height": 9}, None, "rooms/lounge", "read-only"),
    ("home", "name", "Demo loft", "X", None, "home/name", "read-only"),
])
def test_refusals_name_the_path_and_why(root, key, before, after, touched, path, reason) -> None:
    with pytest.raises(Refused, match=reason.replace("{", r"\{").replace("}", r"\}")) as refused:
        calls(root, key, before, after, touched)
    assert refused.value.path == path


def test_device_state_becomes_light_then_power() -> None:
    dimmed_off = edited(LAMP, state={**LAMP["state"], "on": True, "brightness": 30})
    assert calls("devices", "lamp-floor", LAMP, dimmed_off, {"state"}) == [
        ("device.light", {"device": "lamp-floor", "brightness": 30}),
        ("device.power", {"device": "lamp-floor", "on": True})]


def test_playback_fields_use_playback_actions_when_registered() -> None:
    actions = ("playback.pause", "playback.seek", "playback.volume")
    after = edited(PLAYING, playing=False, position_s=99, muted=True)
    found = calls_for("playback", "p1", PLAYING, after, frozenset({"playing", "position_s", "muted"}),
                      lambda name: name in actions)
    assert found == [Call("playback.seek", {"position_s": 99, "target": "p1"}, "playback/p1/position_s"),
                     Call("playback.volume", {"mute": True, "target": "p1"}, "playback/p1/muted"),
                     Call("playback.pause", {"target": "p1"}, "playback/p1/playing")]


class Conn:
    pass


def test_presence_is_stamped_owned_and_removed() -> None:
    relayed: list[bytes] = []
    presence = Presence(Doc(), lambda x, z: "lounge" if x < 3.5 else "kitchen", relayed.append)
    alex, intruder = Conn(), Conn()
    identity = Identity("alex", "quest-alex", "headset")
    claim = {"person": "sam", "kind": "tv", "head": {"position": [4, 1.6, 0], "yaw_deg": 90}}
    message = presence.receive(alex, identity, encode([(11, 1, claim)]))
    assert message is not None
    stamped = decode(read_message(message[1:]))[0][2]
    assert stamped == {**claim, "person": "alex", "device": "quest-alex", "kind": "headset", "room": "kitchen",
                       "seat": None}
    assert presence.viewer(alex).yaw_deg == 90 and presence.client_of(alex) == 11
    assert presence.receive(intruder, Identity("sam", None, None), encode([(11, 2, None)])) is None  # not its id
    assert 11 in presence.awareness.states
    reconnected = Conn()  # the same headset on a new connection, before the old one timed out
    assert presence.receive(reconnected, identity, encode([(11, 2, claim)])) is not None
    assert presence.client_of(reconnected) == 11 and presence.client_of(alex) is None
    presence.drop(reconnected)
    assert 11 not in presence.awareness.states
    assert decode(read_message(relayed[-1][1:])) == [(11, 2, None)]  # everyone is told it is gone


def test_viewer_from_a_head_pose() -> None:
    assert viewer_from({"position": [0, 1.6, 0], "rotation": [0, 0.7071068, 0, 0.7071068]}).yaw_deg == pytest.approx(90)
    assert viewer_from({"position": [0, "x", 0]}) is None and viewer_from(None) is None
