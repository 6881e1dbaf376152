"""Panel placement: which surface for which request and viewer, where on it, how big."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinspace.errors import InvalidInput, NotFound, PlacementImpossible
from twinspace.geometry import Frame, Viewer, angular_size_deg, dot, rects_overlap, sub
from twinspace.home.model import Home, Panel, Surface
from twinspace.home.placement import (
    MIN_WIDTH, PRESETS, Placement, PlacementRequest, candidates, place,
)

S = math.sqrt(0.5)
ROT = {"north": (0, 0, 0, 1), "south": (0, 1, 0, 0), "west": (0, S, 0, S), "east": (0, -S, 0, S)}
FLAT = (-S, 0, 0, S)  # lying face up; local +Y points to -Z
DEV_HOME = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "dev-home"
LIVING_VIEWER = Viewer((0, 1.6, 1.0), 0)
EPS = 1e-6


# --- building homes --------------------------------------------------------------------

def surface(sid: str, label: str, pos, rot, size, **extra: Any) -> dict[str, Any]:
    return {"id": sid, "label": label, "pose": {"position": list(pos), "rotation": list(rot)},
            "size": list(size), **extra}


def box_room(rid: str, name: str, x0: float, z0: float, x1: float, z1: float, *, height: float = 2.6,
             walls: str = "nsew", surfaces: tuple = (), devices: tuple = ()) -> dict[str, Any]:
    """A rectangular room with walls facing inward (n = -z side, w = -x side)."""
    cx, cz, w, d, h = (x0 + x1) / 2, (z0 + z1) / 2, x1 - x0, z1 - z0, height
    specs = {"n": ("north", (cx, h / 2, z0), (w, h)), "s": ("south", (cx, h / 2, z1), (w, h)),
             "w": ("west", (x0, h / 2, cz), (d, h)), "e": ("east", (x1, h / 2, cz), (d, h))}
    ws = [surface(f"{rid}/wall-{specs[k][0]}", "WALL_FACE", specs[k][1], ROT[specs[k][0]], specs[k][2])
          for k in walls]
    return {"id": rid, "name": name, "height": h, "floor": [[x0, z0], [x1, z0], [x1, z1], [x0, z1]],
            "surfaces": ws + list(surfaces), "devices": list(devices)}


def living_room(**kw: Any) -> dict[str, Any]:
    """The dev home's living room: TV on the north wall, soundbar, coffee table, couch."""
    return box_room(
        "living", "Living room", -3, -2.5, 3, 2.5,
        surfaces=(surface("living/coffee-table", "TABLE", (0, 0.45, 0.3), FLAT, (1.2, 0.6)),
                  surface("living/couch", "COUCH", (0, 0.45, 1.9), FLAT, (2.2, 0.9))),
        devices=({"id": "tv-living", "kind": "tv", "name": "TV", "size": [1.45, 0.83],
                  "pose": {"position": [0, 1.1, -2.45], "rotation": [0, 0, 0, 1]}},
                 {"id": "speaker-living", "kind": "speaker", "name": "Soundbar",
                  "pose": {"position": [0, 0.6, -2.4], "rotation": [0, 0, 0, 1]}}), **kw)


def bedroom(walls: str = "nsew") -> dict[str, Any]:
    return box_room("bedroom", "Bedroom", 3, -2.5, 7, 1.0, walls=walls, surfaces=(
        surface("bedroom/bed", "BED", (5, 0.5, -1.2), FLAT, (1.6, 2.0)),
        surface("bedroom/desk", "TABLE", (6.5, 0.75, 0.5), FLAT, (1.0, 0.5))))


def make_home(*rooms: dict[str, Any]) -> Home:
    return Home.model_validate({"id": "test", "name": "Test home",
                                "rooms": list(rooms) or [living_room(), bedroom()]})


def add(home: Home, p: Placement, pid: str | None = None) -> Home:
    """Open a panel at the placement, as the hub would."""
    pid = pid or f"p{len(home.panels) + 1}"
    home.panels = [*home.panels, Panel(id=pid, content="channel:x", room=p.room, pose=p.pose,
                                       size=p.size, size_preset=p.size_preset, surface=p.surface)]
    return home


def req(**kw: Any) -> PlacementRequest:
    return PlacementRequest(**kw)


# --- checking placements ---------------------------------------------------------------

def surf(home: Home, p: Placement) -> Surface:
    found = home.surface(p.surface or "")
    assert found is not None
    return found[1]


def check_flush(home: Home, p: Placement) -> None:
    """Inside the wall's bounds, 1 cm out, same rotation, facing into the room."""
    s = surf(home, p)
    x, y, z = s.frame.to_local(p.pose.position)
    w, h = p.size
    assert z == pytest.approx(0.01)
    assert abs(x) + w / 2 <= s.size[0] / 2 + EPS and abs(y) + h / 2 <= s.size[1] / 2 + EPS
    assert dot(p.pose.frame.normal, s.frame.normal) == pytest.approx(1)
    room = home.room(p.room)
    assert room is not None
    cx = sum(q[0] for q in room.floor) / len(room.floor)
    cz = sum(q[1] for q in room.floor) / len(room.floor)
    assert dot(p.pose.frame.normal, sub((cx, 1.3, cz), p.pose.position)) > 0
    assert p.pose.position[1] - h / 2 >= 0.5 - EPS  # off the floor


def overlaps(home: Home, p: Placement, ignore: str | None = None) -> list[str]:
    """Ids of panels (any gap) and devices (10 cm margin) that the placement overlaps."""
    f: Frame = p.pose.frame
    out = []
    for q in home.panels:
        lx, ly, lz = f.to_local(q.pose.position)
        if q.id != ignore and abs(lz) < 0.15 and dot(q.pose.frame.normal, f.normal) > 0.9 \
                and rects_overlap((0, 0), p.size, (lx, ly), q.size):
            out.append(q.id)
    room = home.room(p.room)
    assert room is not None
    for d in room.devices:
        if d.pose is None:
            continue
        lx, ly, lz = f.to_local(d.pose.position)
        if abs(lz) < 0.15 and rects_overlap((0, 0), p.size, (lx, ly), d.size or (0.2, 0.2), gap=0.1 - 1e-6):
            out.append(d.id)
    return out


# --- the evaluation expectations ---------------------------------------------------------

EVAL = [
    ((0, 1.6, 1.0), 0, {"side": "right"}, "living/wall-east"),
    ((0, 1.6, 1.0), 0, {"side": "left"}, "living/wall-west"),
    ((0, 1.6, 1.0), 0, {"side": "behind"}, "living/wall-south"),
    ((0, 1.6, 1.0), 0, {"side": "front"}, "living/wall-north"),
    ((0, 1.6, 1.0), 0, {}, "living/wall-north"),
    ((0, 1.6, 1.0), 0, {"surface": "coffee table"}, "living/coffee-table"),
    ((0, 1.6, 1.0), 0, {"surface": "TABLE"}, "living/coffee-table"),
    ((0, 1.6, 1.0), 0, {"surface": "table"}, "living/coffee-table"),
    ((0, 1.6, 1.0), 0, {"surface": "living/coffee-table"}, "living/coffee-table"),
    ((0, 1.6, 1.0), 0, {"side": "right", "size": "large"}, "living/wall-east"),
    ((0, 1.6, 1.0), 0, {"surface": "wall", "side": "left"}, "living/wall-west"),
    ((5, 1.6, 0.5), 0, {"side": "front"}, "bedroom/wall-north"),
    ((5, 1.6, 0.5), 0, {"surface": "TABLE"}, "bedroom/desk"),
]


@pytest.mark.parametrize("pos, yaw, request_, expected", EVAL)
def test_eval_expectations_on_built_home(pos, yaw, request_, expected) -> None:
    home = make_home()
    p = place(home, req(**request_), Viewer(pos, yaw), None)
    assert p.surface == expected
    assert p.room == expected.split("/")[0]
    assert overlaps(home, p) == []


@pytest.mark.skipif(not (DEV_HOME / "home.json").is_file(), reason="shared dev-home fixture absent")
@pytest.mark.parametrize("pos, yaw, request_, expected", EVAL)
def test_eval_expectations_on_dev_home(pos, yaw, request_, expected) -> None:
    from twinspace.home.homefile import read_home_dir

    home = read_home_dir(DEV_HOME).home
    p = place(home, req(**request_), Viewer(pos, yaw), None)
    assert p.surface == expected
    assert overlaps(home, p) == []


def test_moves_in_eval_state_ignore_the_moving_panel() -> None:
    """panel-02 / panel-05: p1 on the north wall, p2 (the movie) on the west wall."""
    home = make_home()
    add(home, place(home, req(surface="living/wall-north"), LIVING_VIEWER, None), "p1")
    add(home, place(home, req(surface="living/wall-west"), LIVING_VIEWER, None), "p2")
    right = place(home, req(side="right"), LIVING_VIEWER, None, ignore_panel="p2")
    table = place(home, req(surface="coffee-table"), LIVING_VIEWER, None, ignore_panel="p2")
    assert (right.surface, table.surface) == ("living/wall-east", "living/coffee-table")
    # moving a panel within its own wall can take its own spot back
    again = place(home, req(surface="living/wall-west"), LIVING_VIEWER, None, ignore_panel="p2")
    assert again.pose == home.panel("p2").pose  # type: ignore[union-attr]


@pytest.mark.parametrize("yaw, expected", [
    (0, {"front": "north", "right": "east", "behind": "south", "left": "west"}),
    (90, {"front": "west", "right": "north", "behind": "east", "left": "south"}),
    (180, {"front": "south", "right": "west", "behind": "north", "left": "east"}),
    (-90, {"front": "east", "right": "south", "behind": "west", "left": "north"}),
])
def test_sides_rotate_with_the_viewer(yaw, expected) -> None:
    home = make_home()
    viewer = Viewer((0, 1.6, 0.0), yaw)
    got = {side: place(home, req(side=side), viewer, None).surface for side in expected}
    assert got == {side: f"living/wall-{wall}" for side, wall in expected.items()}


def test_side_uses_the_wall_the_ray_hits_even_near_a_corner() -> None:
    # Standing in the north-east corner facing north, the east wall is 0.5 m to the right;
    # its centre is behind-right, but the ray to the right crosses it.
    p = place(make_home(), req(side="right"), Viewer((2.5, 1.6, -2.0), 0), None)
    assert p.surface == "living/wall-east"
    assert p.pose.position[2] < -0.5  # near where the viewer looks, not the wall's centre


# --- where on the surface ----------------------------------------------------------------

def test_wall_panel_is_flush_a_little_below_eye_level_on_the_line_of_sight() -> None:
    home = make_home()
    p = place(home, req(side="right"), LIVING_VIEWER, None)
    check_flush(home, p)
    assert p.pose.position[1] == pytest.approx(1.6 - 0.15)
    assert p.pose.position[2] == pytest.approx(1.0)  # straight to the right
    assert p.pose.position[0] == pytest.approx(3 - 0.01)


def test_front_wall_panel_goes_beside_the_tv_not_over_it() -> None:
    home = make_home()
    p = place(home, req(side="front"), LIVING_VIEWER, None)
    check_flush(home, p)
    assert overlaps(home, p) == []
    tv_half, panel_half = 1.45 / 2, p.size[0] / 2
    assert abs(p.pose.position[0]) >= tv_half + 0.1 + panel_half - EPS


def test_fills_a_wall_with_six_medium_panels_then_says_it_is_full() -> None:
    # A 7 m x 1.12 m wall, 2 m ahead of a viewer at its left end: one row of six medium panels.
    room = box_room("den", "Den", -3.5, -2.0, 3.5, 1.0, walls="s", surfaces=(
        surface("den/wall-north", "WALL_FACE", (0, 0.56, -2.0), ROT["north"], (7.0, 1.12)),))
    home = make_home(room)
    viewer = Viewer((-3.4, 1.6, 0.0), 0)
    first_width = None
    for i in range(6):
        p = place(home, req(surface="den/wall-north"), viewer, None)
        check_flush(home, p)
        assert overlaps(home, p) == []
        first_width = first_width or p.size[0]
        assert p.size[0] == pytest.approx(first_width)  # all full medium size
        add(home, p)
    with pytest.raises(PlacementImpossible, match="the north wall has no free space for a medium panel"):
        place(home, req(surface="den/wall-north"), viewer, None)
    assert len(home.panels) == 6


def test_table_panel_stands_on_the_back_edge_facing_the_viewer() -> None:
    home = make_home()
    p = place(home, req(surface="TABLE"), LIVING_VIEWER, None)
    x, y, z = p.pose.position
    w, h = p.size
    assert y - h / 2 == pytest.approx(0.45 + 0.01)  # bottom on the table top
    assert 0.0 <= z <= 0.1  # at the back edge (the table spans z 0..0.6)
    assert abs(x) + w / 2 <= 0.6 + EPS  # within the table's width
    f = p.pose.frame
    assert f.y_axis == pytest.approx((0, 1, 0))  # upright
    assert dot(f.normal, sub(LIVING_VIEWER.position, p.pose.position)) > 0  # faces the viewer


def test_table_fills_up_then_reports_it_in_the_viewers_terms() -> None:
    home = make_home()
    for _ in range(3):
        try:
            add(home, place(home, req(surface="coffee table", size="large"), LIVING_VIEWER, None))
        except PlacementImpossible as e:
            assert str(e) == "the coffee table has no free space for a large panel"
            break
    else:
        pytest.fail("a 1.2 m table took three large panels")
    for p in home.panels:
        assert overlaps(home, Placement(p.surface, p.room, p.pose, p.size, p.size_preset), ignore=p.id) == []


def test_respects_a_surface_boundary() -> None:
    # A wall whose usable outline is its right half (a doorway on the left).
    boundary = [(0.0, -1.3), (3.0, -1.3), (3.0, 1.3), (0.0, 1.3)]
    room = box_room("hall", "Hall", -3, -2.5, 3, 2.5, walls="swe", surfaces=(
        surface("hall/wall-north", "WALL_FACE", (0, 1.3, -2.5), ROT["north"], (6, 2.6), boundary=boundary),))
    home = make_home(room)
    p = place(home, req(side="front"), Viewer((-2, 1.6, 0), 0), None)
    x, _, _ = surf(home, p).frame.to_local(p.pose.position)
    assert x - p.size[0] / 2 >= -EPS
    check_flush(home, p)


# --- size --------------------------------------------------------------------------------

def test_presets_are_ordered_and_match_their_visual_angle() -> None:
    home = make_home()
    widths = {}
    for preset in ("small", "medium", "large", "cinema"):
        p = place(home, req(side="right", size=preset), LIVING_VIEWER, None)
        assert p.size_preset == preset
        assert p.size[0] / p.size[1] == pytest.approx(16 / 9)
        widths[preset] = p.size[0]
        dist = math.dist(p.pose.position, LIVING_VIEWER.position)
        if preset != "cinema":  # cinema is clamped by the wall's height
            assert angular_size_deg(p.size[0], dist) == pytest.approx(PRESETS[preset])
        assert angular_size_deg(p.size[0], dist) <= PRESETS["cinema"] + EPS
    assert widths["small"] < widths["medium"] < widths["large"] <= widths["cinema"]
    assert place(home, req(side="right"), LIVING_VIEWER, None).size == \
        place(home, req(side="right", size="medium"), LIVING_VIEWER, None).size


def test_aspect_and_minimum_width() -> None:
    home = make_home()
    p = place(home, req(side="right", size="small"), LIVING_VIEWER, None, aspect=1.0)
    assert p.size[0] == pytest.approx(p.size[1])
    close = place(home, req(side="right", size="small"), Viewer((2.8, 1.6, 0), 0), None)
    assert close.size[0] >= MIN_WIDTH - EPS


def test_default_spot_is_the_front_wall_at_a_comfortable_distance() -> None:
    home = make_home()
    p = place(home, req(), LIVING_VIEWER, None)
    assert p.surface == "living/wall-north"
    d = math.dist(p.pose.position, LIVING_VIEWER.position)
    assert 0.75 <= d <= 5.0
    assert LIVING_VIEWER.angle_to_deg(p.pose.position) <= 40
    assert angular_size_deg(p.size[0], d) <= 40


# --- floating ----------------------------------------------------------------------------

def test_floating_in_front_facing_the_viewer() -> None:
    home = make_home()
    viewer = Viewer((0, 1.6, 1.0), 90)
    p = place(home, req(floating=True), viewer, None)
    assert p.surface is None and p.room == "living"
    assert p.pose.position == pytest.approx((-1.5, 1.45, 1.0))
    assert p.pose.frame.normal == pytest.approx((1, 0, 0))  # towards the viewer
    assert p.pose.frame.y_axis == pytest.approx((0, 1, 0))
    d = math.dist(p.pose.position, viewer.position)
    assert angular_size_deg(p.size[0], d) == pytest.approx(PRESETS["medium"])
    add(home, p)
    q = place(home, req(floating=True), viewer, None)
    assert overlaps(home, q) == []


def test_default_floats_when_no_wall_is_at_a_comfortable_distance() -> None:
    home = make_home(box_room("hall", "Hall", -2, -8, 2, 2))
    p = place(home, req(), Viewer((0, 1.6, 1.0), 0), None)  # the north wall is 9 m away
    assert p.surface is None
    assert p.pose.position == pytest.approx((0, 1.45, -0.5))


def test_floating_stays_in_front_of_a_close_wall() -> None:
    home = make_home()
    p = place(home, req(floating=True), Viewer((0, 1.6, -1.8), 0), None)
    assert -2.5 < p.pose.position[2] < -1.8


# --- errors ------------------------------------------------------------------------------

def test_unknown_surface_suggests_nearby_ids() -> None:
    with pytest.raises(NotFound, match="did you mean living/wall-north") as e:
        place(make_home(), req(surface="living/wall-nort"), LIVING_VIEWER, None)
    assert "living/coffee-table" in str(e.value)


def test_label_missing_in_room() -> None:
    with pytest.raises(PlacementImpossible) as e:
        place(make_home(), req(surface="bed"), LIVING_VIEWER, None)
    assert str(e.value) == "there is no surface labelled BED in the living room"


def test_no_wall_on_that_side() -> None:
    home = make_home(living_room(), bedroom(walls="nse"))
    with pytest.raises(PlacementImpossible) as e:
        place(home, req(side="left"), Viewer((5, 1.6, 0.5), 0), None)
    assert str(e.value) == "there is no wall to your left in the bedroom"


def test_request_validation() -> None:
    with pytest.raises(ValueError):
        PlacementRequest.model_validate({"surface": "TABLE", "wall": "x"})
    with pytest.raises(ValueError):
        PlacementRequest.model_validate({"side": "above"})
    home = make_home()
    with pytest.raises(InvalidInput):
        place(home, req(surface="TABLE", floating=True), LIVING_VIEWER, None)
    with pytest.raises(InvalidInput):
        place(home, req(side="left"), None, "living")
    with pytest.raises(NotFound):
        place(home, req(), LIVING_VIEWER, "garage")
    with pytest.raises(PlacementImpossible, match="inside any room"):
        place(home, req(side="left"), Viewer((20, 1.6, 20), 0), None)


# --- rooms and explicit surfaces ----------------------------------------------------------

def test_explicit_surface_in_another_room_is_honoured() -> None:
    home = make_home()
    p = place(home, req(surface="bedroom/wall-north"), LIVING_VIEWER, None)
    assert (p.surface, p.room) == ("bedroom/wall-north", "bedroom")
    check_flush(home, p)


def test_room_id_restricts_labels_and_works_without_a_viewer() -> None:
    home = make_home()
    assert place(home, req(surface="TABLE"), None, "bedroom").surface == "bedroom/desk"
    p = place(home, req(surface="living/wall-east"), None, None)
    check_flush(home, p)


def test_candidates_explain_the_choice() -> None:
    ranked = candidates(make_home(), req(side="right"), LIVING_VIEWER)
    assert [c.surface.id for c in ranked] == ["living/wall-east"]
    assert ranked[0].deviation_deg == 0 and ranked[0].distance_m == pytest.approx(3)
    walls = candidates(make_home(), req(surface="WALL_FACE"), LIVING_VIEWER)
    assert walls[0].surface.id == "living/wall-north"
    assert [c.score for c in walls] == sorted(c.score for c in walls)


def test_deterministic_and_independent_of_surface_order() -> None:
    a = make_home()
    rooms = [living_room(), bedroom()]
    for r in rooms:
        r["surfaces"].reverse()
        r["devices"].reverse()
    b = make_home(*rooms)
    for request_ in ({}, {"side": "left"}, {"side": "behind", "size": "cinema"}, {"surface": "TABLE"}):
        first = place(a, req(**request_), LIVING_VIEWER, None)
        assert place(a, req(**request_), LIVING_VIEWER, None) == first
        assert place(b, req(**request_), LIVING_VIEWER, None) == first


# --- property ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=st.floats(-2.8, 2.8), z=st.floats(-2.3, 2.3), yaw=st.floats(-180, 180),
       side=st.sampled_from([None, "left", "right", "front", "behind"]),
       size=st.sampled_from([None, "small", "medium", "large", "cinema"]),
       label=st.sampled_from([None, None, "TABLE", "COUCH"]))
def test_any_placement_stays_inside_its_surface_and_overlaps_nothing(x, z, yaw, side, size, label) -> None:
    home = make_home()
    viewer = Viewer((x, 1.6, z), yaw)
    for _ in range(2):  # the second panel must avoid the first
        try:
            p = place(home, req(surface=label, side=side, size=size), viewer, None)
        except PlacementImpossible:
            return
        assert overlaps(home, p) == []
        if p.surface is None:
            assert math.dist(p.pose.position, viewer.position) <= 1.5 + 0.2
        elif surf(home, p).label == "WALL_FACE":
            check_flush(home, p)
        else:
            s, f = surf(home, p), p.pose.frame
            for k in (-1, 1):  # both ends of the panel's foot lie on the top
                bx, by, bz = s.frame.to_local(f.to_world((k * p.size[0] / 2, -p.size[1] / 2, 0)))
                assert abs(bx) <= s.size[0] / 2 + EPS and abs(by) <= s.size[1] / 2 + EPS
                assert bz == pytest.approx(0.01)
        add(home, p)
