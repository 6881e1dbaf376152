"""room.capture through the hub: a re-capture of the demo lounge, taken in a session that
started elsewhere, replaces the room as one action: it is lined up with the old room, panels
stay where they were, what cannot stay is reported, the TV becomes the captured screen, and
undo brings the old room back."""

from __future__ import annotations

from typing import Any

import pytest
from capture_helpers import demo_lounge, living_room, moved

from twinspace.actions.registry import Caller
from twinspace.errors import Forbidden, InvalidInput
from twinspace.geometry import Viewer, rects_overlap
from twinspace.home.placement import PlacementRequest, place

SOFA = Viewer((0.0, 1.2, 1.8), 0.0)
HOME = "demo-loft"


def capture(hub: Any, who: Caller, doc: dict[str, Any], room: str = "lounge", **extra: Any) -> Any:
    return hub.apply(HOME, "room.capture", {"room": room, "capture": doc, **extra}, caller=who)


def open_(hub: Any, who: Caller, content: str, **placement: Any) -> str:
    out = hub.apply(HOME, "panel.open", {"content": content, "placement": placement}, caller=who, viewer=SOFA)
    return out.result["panel"]["id"]


def test_recapture_keeps_panels_reports_the_rest_and_undo_restores(hub: Any, owner: Caller) -> None:
    right = open_(hub, owner, "channel:arena.demo", side="right")              # lounge/wall-east
    table = open_(hub, owner, "app:photos", surface="lounge/coffee-table")
    window = open_(hub, owner, "app:photos", surface="lounge/window", size="small")
    before = hub.home(HOME)
    east_pose = before.panel(right).pose.position

    out = capture(hub, owner, moved(demo_lounge(), 50.0, (1.2, 0.0, -0.6)))

    home = hub.home(HOME)
    lounge = home.room("lounge")
    assert lounge.name == "Lounge" and lounge.area == pytest.approx(35.0, abs=1e-3)
    assert out.result["aligned"] is True and out.result["fit_m"] < 0.01
    assert out.result["transform"]["yaw_deg"] == pytest.approx(-50.0, abs=0.01)
    # the room is in the twin's old coordinates again: the east wall is where it was
    east = home.panel(right)
    assert east.surface.startswith("lounge/wall-face-")
    assert east.pose.position == pytest.approx(east_pose, abs=0.01)
    wall = home.surface(east.surface)[1]
    assert wall.pose.position == pytest.approx((3.5, 1.35, 0.0), abs=0.01)
    assert home.panel(table).surface.startswith("lounge/table-")
    assert home.panel(window) is None and window not in home.playback
    assert any(c.startswith(f"{window} (app:photos): the new scan has no window frame") for c in out.result["closed"])
    assert out.result["kept"] == [f"{right} on {east.surface}", f"{table} on {home.panel(table).surface}"]
    assert "closed 1" in out.message
    # the TV is the captured screen: same place as the demo's, now its real size and facing
    tv = home.device("tv-lounge")[1]
    screen = next(s for s in lounge.surfaces if s.label == "SCREEN")
    assert tv.pose == screen.pose and tv.size == pytest.approx((1.71, 0.98), abs=1e-3)
    assert tv.pose.position == pytest.approx((0.0, 1.2, -2.445), abs=0.01)
    assert [d.id for d in lounge.devices] == [d.id for d in before.room("lounge").devices]
    assert f"tv-lounge is the captured screen {screen.id}" in out.result["devices"]
    # the journal keeps a summary, not the capture
    entry = hub.store.journal(HOME, 1)[0]
    assert entry.action == "room.capture" and "capture" not in entry.args and entry.args["found"]["WALL_FACE"] == 4

    undone = hub.undo(HOME, owner)
    assert undone.args["action"] == "room.capture"
    back = hub.home(HOME)
    assert back.room("lounge") == before.room("lounge")
    assert back.panels == before.panels


def test_a_new_panel_lands_on_the_captured_wall_to_my_left(hub: Any, owner: Caller) -> None:
    capture(hub, owner, moved(demo_lounge(), -20.0, (0.3, 0.0, 0.9)))
    out = hub.apply(HOME, "panel.open", {"content": "channel:hubnews.demo", "placement": {"side": "left"}},
                    caller=owner, viewer=SOFA)
    wall = hub.home(HOME).surface(out.args["placement"]["surface"])[1]
    assert wall.label == "WALL_FACE" and wall.pose.position == pytest.approx((-3.5, 1.35, 0.0), abs=0.01)


def test_a_capture_that_does_not_line_up_places_panels_anew(hub: Any, owner: Caller) -> None:
    right = open_(hub, owner, "channel:arena.demo", side="right")
    out = capture(hub, owner, living_room())  # another room altogether
    assert out.result["aligned"] is False and out.result["fit_m"] > 0.05
    assert "did not line up" in out.message
    panel = hub.home(HOME).panel(right)
    assert panel is not None and panel.surface.startswith("lounge/wall-face-")
    assert out.result["moved"] == [f"{right} to {panel.surface}"]


def test_a_new_room_binds_a_named_tv(hub: Any, owner: Caller) -> None:
    out = capture(hub, owner, moved(living_room(), 0.0, (20.0, 0.0, 0.0)), room="den", name="Den", tv="tv-lounge")
    home = hub.home(HOME)
    den = home.room("den")
    assert den.name == "Den" and [d.id for d in den.devices] == ["tv-lounge"]
    assert "tv-lounge" not in [d.id for d in home.room("lounge").devices]
    tv = den.devices[0]
    screen = home.surface("den/screen-1")[1]
    assert tv.pose == screen.pose and tv.pose.position == pytest.approx((20.5, 1.2, -1.93), abs=1e-6)
    # a panel on the wall behind the real TV keeps clear of it
    wall = min((s for s in den.surfaces if s.label == "WALL_FACE"),
               key=lambda s: abs(s.frame.to_local(tv.pose.position)[2]))
    spot = place(home, PlacementRequest(surface=wall.id, size="large"), None, "den")
    p, t = wall.frame.to_local(spot.pose.position), wall.frame.to_local(tv.pose.position)
    assert not rects_overlap((p[0], p[1]), spot.size, (t[0], t[1]), tv.size)
    assert out.message.startswith("Captured Den")


def test_bad_capture_and_members_change_nothing(hub: Any, owner: Caller) -> None:
    version = hub.version(HOME)
    no_floor = demo_lounge()
    no_floor["planes"] = no_floor["planes"][1:]
    with pytest.raises(InvalidInput, match="no floor plane"):
        capture(hub, owner, no_floor)
    with pytest.raises(InvalidInput, match="no screen to bind"):
        capture(hub, owner, demo_lounge(screen=False), tv="tv-lounge")
    member = Caller(home_id=HOME, person="sam", device="phone", role="member")
    with pytest.raises(Forbidden, match="owner"):
        capture(hub, member, demo_lounge())
    assert hub.version(HOME) == version


def test_align_says_how_a_new_session_lines_up_and_changes_nothing(hub: Any, owner: Caller) -> None:
    capture(hub, owner, demo_lounge())
    version = hub.version(HOME)
    out = hub.apply(HOME, "room.align", {"room": "lounge", "capture": moved(demo_lounge(), 90.0, (0.5, 0.0, 0.5))},
                    caller=owner)
    assert out.result["good"] is True and out.result["transform"]["yaw_deg"] == pytest.approx(-90.0, abs=0.01)
    off = hub.apply(HOME, "room.align", {"room": "lounge", "capture": living_room()}, caller=owner)
    assert off.result["good"] is False and "capture the room again" in off.message
    assert hub.version(HOME) == version
