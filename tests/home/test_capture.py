"""WebXR room captures (plane and mesh detection) made into rooms: walls face in, the floor is
y = 0, furniture becomes labelled surfaces, screens their fronts; bad captures are refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from capture_helpers import living_room, moved

from twinspace.errors import InvalidInput
from twinspace.geometry import point_in_polygon
from twinspace.home.capture import Capture, room_from_capture
from twinspace.home.scan import faces_into


def made(doc: dict[str, Any], room_id: str = "living") -> Any:
    return room_from_capture(Capture.model_validate(doc), room_id, "Living room")


def test_capture_makes_the_room() -> None:
    out = made(living_room(floor_y=0.04))
    room = out.room
    assert room.area == pytest.approx(20.0, abs=1e-6)
    assert room.height == pytest.approx(2.5, abs=1e-6)
    assert out.floor_y == pytest.approx(0.04)
    assert out.found == {"CEILING": 1, "COUCH": 1, "SCREEN": 1, "TABLE": 1, "WALL_FACE": 4, "WINDOW_FRAME": 1}
    walls = [s for s in room.surfaces if s.label == "WALL_FACE"]
    for wall in walls:
        assert faces_into(wall, room.floor), wall.id
        assert wall.pose.position[1] == pytest.approx(1.25)  # lowered onto the twin's floor
        assert wall.size == pytest.approx((5.0, 2.5)) or wall.size == pytest.approx((4.0, 2.5))
    south = next(w for w in walls if w.pose.position[2] > 1.9)
    assert south.frame.normal == pytest.approx((0, 0, -1), abs=1e-6)  # it was reported facing out
    assert any("global mesh" in s for s in out.skipped)


def test_capture_furniture_and_screen() -> None:
    room = made(living_room()).room
    table = next(s for s in room.surfaces if s.label == "TABLE")
    assert table.pose.position == pytest.approx((0, 0.75, 0), abs=1e-6)  # the volume's top, once
    assert table.frame.normal == pytest.approx((0, 1, 0), abs=1e-6) and table.depth == pytest.approx(0.75)
    assert table.size == pytest.approx((1.2, 0.8), abs=1e-6) or table.size == pytest.approx((0.8, 1.2), abs=1e-6)
    couch = next(s for s in room.surfaces if s.label == "COUCH")
    assert couch.pose.position[1] == pytest.approx(0.8)
    tv = next(s for s in room.surfaces if s.label == "SCREEN")
    assert tv.frame.normal == pytest.approx((0, 0, 1), abs=1e-6)  # facing the room, away from its wall
    assert tv.frame.y_axis == pytest.approx((0, 1, 0), abs=1e-6)
    assert tv.size == pytest.approx((1.2, 0.7), abs=1e-6) and tv.depth == pytest.approx(0.06)
    assert tv.pose.position == pytest.approx((0.5, 1.2, -1.93), abs=1e-6)
    ids = sorted(s.id for s in room.surfaces)
    assert "living/wall-face-1" in ids and "living/screen-1" in ids and len(set(ids)) == len(ids)


def test_capture_from_another_space_is_the_same_room_moved() -> None:
    here, there = made(living_room()).room, made(moved(living_room(), 37.0, (1.5, 0.0, -0.7))).room
    assert there.area == pytest.approx(here.area, abs=1e-4)  # coordinates are kept to the micrometre
    assert {s.label for s in there.surfaces} == {s.label for s in here.surfaces}
    for wall in (s for s in there.surfaces if s.label == "WALL_FACE"):
        assert faces_into(wall, there.floor)
    assert point_in_polygon(1.5, -0.7, there.floor)


def test_capture_without_wall_planes_gets_walls_along_the_floor() -> None:
    doc = living_room()
    doc["planes"] = [p for p in doc["planes"] if p["label"] != "wall"]
    out = made(doc)
    walls = [s for s in out.room.surfaces if s.label == "WALL_FACE"]
    assert len(walls) == 4 and all(faces_into(w, out.room.floor) for w in walls)
    assert all(w.size[1] == pytest.approx(2.5) for w in walls)
    assert any("walls made along the floor outline" in s for s in out.skipped)


def _without_floor(d: dict[str, Any]) -> None:
    d["planes"] = [p for p in d["planes"] if p["label"] != "floor"]


def _tiny_floor(d: dict[str, Any]) -> None:
    d["planes"][0]["polygon"] = [[0, 0, 0], [0.5, 0, 0], [0.5, 0, 0.5]]


def _no_height(d: dict[str, Any]) -> None:
    d["planes"] = [p for p in d["planes"] if p["label"] not in ("wall", "ceiling")]


def _bad_mesh(d: dict[str, Any]) -> None:
    d["meshes"][0]["vertices"] = d["meshes"][0]["vertices"][:-1]


def _bad_indices(d: dict[str, Any]) -> None:
    d["meshes"][0]["indices"] = [0, 1, 99]


def _low_ceiling(d: dict[str, Any]) -> None:
    d["planes"][1]["pose"]["position"][1] = 0.9


@pytest.mark.parametrize("change, message", [
    (_without_floor, "no floor plane"),
    (_tiny_floor, "less than any room"),
    (_no_height, "neither a ceiling nor walls"),
    (_bad_mesh, "meshes[0]: vertices must be x, y, z triples"),
    (_bad_indices, "meshes[0]: indices must be triangles"),
    (_low_ceiling, "0.90 m above the floor"),
])
def test_bad_captures_are_refused_with_what_to_do(change: Any, message: str) -> None:
    doc = copy.deepcopy(living_room())
    change(doc)
    with pytest.raises(InvalidInput) as e:
        made(doc)
    assert message in str(e.value)


def test_capture_shape_is_checked() -> None:
    with pytest.raises(Exception, match="rotation must be a unit quaternion"):
        Capture.model_validate({"planes": [{"label": "floor", "pose": {"position": [0, 0, 0], "rotation": [0, 0, 0, 2]},
                                            "polygon": [[0, 0, 0], [1, 0, 0], [1, 0, 1]]}]})


def test_planes_facing_out_and_closed_polygons_as_iwer_sem_reports_them() -> None:
    """@iwer/sem's real rooms give every plane's +Y pointing out of the room (the floor's down)
    and repeat the first polygon point at the end: the room comes out the same."""
    doc = living_room()
    for p in doc["planes"]:
        pose = p["pose"]
        qx, qy, qz, qw = pose["rotation"]
        # turn the plane half round about its own x: +Y (its normal) flips, the polygon stays in x/z
        pose["rotation"] = [qw, qz, -qy, -qx]
        p["polygon"] = [[x, y, -z] for x, y, z in p["polygon"]] + [[p["polygon"][0][0], 0, -p["polygon"][0][2]]]
    out = made(doc)
    straight = made(living_room())
    assert out.room.area == pytest.approx(straight.room.area, abs=1e-6)
    assert out.found == straight.found
    table = next(s for s in out.room.surfaces if s.label == "TABLE")
    assert table.frame.normal == pytest.approx((0, 1, 0), abs=1e-6)
    window = next(s for s in out.room.surfaces if s.label == "WINDOW_FRAME")
    assert window.frame.normal == pytest.approx((-1, 0, 0), abs=1e-6)  # into the room from the east wall
    assert window.boundary is None  # still a rectangle once the closing point is dropped
    for wall in (s for s in out.room.surfaces if s.label == "WALL_FACE"):
        assert faces_into(wall, out.room.floor)
