"""Every room Meta ships with MRUK (16 captured Quest rooms, MRUK's own test scenes, both format
versions, Unity and Unreal flavours) through the importer: each imports with its walls facing
into the room, a plausible floor and ceiling, screens as their vertical fronts and open sides
as boundaries panels do not go on — or is refused, and this file says which and why."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import support

from twinspace.errors import FormatError, PlacementImpossible
from twinspace.geometry import Viewer, point_in_polygon
from twinspace.home.model import Room, Surface
from twinspace.home.mruk import read_mruk
from twinspace.home.placement import PlacementRequest, place
from twinspace.home.scan import edge_distance

SCANS = ("meta-mruk-v68.0.1-rooms", "meta-mruk-v203.0.0-rooms", "meta-mruk-tests")

# Files the importer refuses, and the words its message must contain. None today: every real
# scan and every test scene imports (DefaultRoomNoAnchors still has its floor, ceiling and walls).
REFUSED: dict[str, str] = {}

# MRUK's hand-made test scenes whose floor boundary is another shape than their walls: the
# importer takes the walls' closed loop as the floor and says so in `notes`.
FLOOR_FROM_WALLS = {"meta-mruk-tests/" + n for n in (
    "DefaultRoomNoAnchors.json", "SceneWithRoom1.json", "SceneWithRoom1LessAnchors.json",
    "SceneWithRoom1MoreAnchors.json", "SceneWithRoom1Room3.json", "SceneWithRoom1SceneAnchorLabelChanged.json",
    "SceneWithRoom1SceneAnchorPlaneBoundaryChanged.json", "SceneWithRoom1SceneAnchorPlaneRectChanged.json",
    "SceneWithRoom1SceneAnchorVolumeBoundsChanged.json", "SceneWithRoom2.json", "SceneWithRoom3Room1.json",
    "SceneWithScene1NewRoomGUID.json")}

# Open sides of rooms (v203 labels them ["WALL_FACE", "INVISIBLE_WALL_FACE"]).
OPEN_SIDES = {"meta-mruk-v203.0.0-rooms/MeshLivingRoom1.json": 1, "meta-mruk-v203.0.0-rooms/MeshLivingRoom2.json": 1}


def scan_files() -> list[str]:
    root = support.SHARED / "external" / "mruk"
    found = sorted(str(p.relative_to(root)) for d in SCANS for p in (root / d).glob("*.json"))
    return found or ["(missing)"]


def _path(name: str) -> Path:
    return support.shared_path("external", "mruk", name)


def _check_wall(room: Room, wall: Surface) -> None:
    x, _, z = wall.pose.position
    n = wall.frame.normal
    assert abs(n[1]) < 0.05, f"{wall.id} is not vertical (normal {n})"
    assert edge_distance((x, z), room.floor) < 0.1, f"{wall.id} is not on the floor outline"
    assert point_in_polygon(x + 0.1 * n[0], z + 0.1 * n[2], room.floor), f"{wall.id} faces out of {room.id}"
    assert not point_in_polygon(x - 0.1 * n[0], z - 0.1 * n[2], room.floor), f"{wall.id} has room behind it"


@pytest.mark.parametrize("name", scan_files())
def test_real_scan_imports_with_walls_facing_in(name: str) -> None:
    path = _path(name)
    if name in REFUSED:
        with pytest.raises(FormatError) as refused:
            read_mruk(path)
        assert REFUSED[name] in str(refused.value)
        return
    bundle = read_mruk(path)
    if name in FLOOR_FROM_WALLS:
        assert bundle.notes and all("used the 7 walls' outline" in n for n in bundle.notes), bundle.notes
    else:
        assert bundle.notes == [], "a real scan's floor follows its walls"
    for room in bundle.home.rooms:
        assert 4.0 < room.area < 60.0, f"{room.id}: floor of {room.area:.1f} m²"
        assert 1.9 < room.height < 4.0, f"{room.id}: ceiling {room.height:.2f} m up"
        walls = [s for s in room.surfaces if s.label in ("WALL_FACE", "INVISIBLE_WALL_FACE")]
        assert len(walls) >= 4
        for wall in walls:
            _check_wall(room, wall)
        open_sides = [w for w in walls if w.label == "INVISIBLE_WALL_FACE"]
        assert len(open_sides) == OPEN_SIDES.get(name, 0)
        for s in room.surfaces:
            assert 0.0 - 0.05 <= s.pose.position[1] <= room.height + 0.05, f"{s.id} is outside the room's height"


@pytest.mark.parametrize("name", [n for n in scan_files() if n not in REFUSED])
def test_real_screens_are_their_vertical_fronts_facing_the_room(name: str) -> None:
    bundle = read_mruk(_path(name))
    screens = [(r, s) for r in bundle.home.rooms for s in r.surfaces if s.label == "SCREEN"]
    for room, screen in screens:
        n = screen.frame.normal
        x, y, z = screen.pose.position
        assert abs(n[1]) < 0.1, f"{screen.id} faces {n}: a screen is upright"
        assert abs(screen.frame.y_axis[1]) > 0.99, f"{screen.id}: its +Y must be up"
        assert point_in_polygon(x + 0.5 * n[0], z + 0.5 * n[2], room.floor), f"{screen.id} faces out of the room"
        width, height = screen.size
        assert 0.3 < width < 2.5 and 0.2 < height < 1.5, f"{screen.id}: {screen.size}"
        assert screen.depth is not None and screen.depth < 0.2
        assert 0.3 < y < 2.5


def test_the_real_screens_are_found() -> None:
    """The rooms with a TV keep it: six screens in five real rooms, one in a test scene."""
    total = 0
    for name in scan_files():
        if name not in REFUSED:
            total += sum(s.label == "SCREEN" for r in read_mruk(_path(name)).home.rooms for s in r.surfaces)
    assert total == 7


def test_open_side_takes_no_panels() -> None:
    """"on the wall in front of me" never picks the open side, and asking for it by id is refused."""
    bundle = read_mruk(_path("meta-mruk-v203.0.0-rooms/MeshLivingRoom1.json"))
    room = bundle.home.rooms[0]
    opening = next(s for s in room.surfaces if s.label == "INVISIBLE_WALL_FACE")
    with pytest.raises(PlacementImpossible, match="open side"):
        place(bundle.home, PlacementRequest(surface=opening.id), None, room.id)
    with pytest.raises(PlacementImpossible, match="open side"):
        place(bundle.home, PlacementRequest(surface="INVISIBLE_WALL_FACE"), None, room.id)
    # standing in the room, looking straight at the opening: the wall chosen is never the opening
    x, _, z = opening.pose.position
    n = opening.frame.normal
    yaw = math.degrees(math.atan2(n[0], n[2]))  # facing -Z rotated by yaw looks along -normal
    viewer = Viewer((x + 1.5 * n[0], 1.6, z + 1.5 * n[2]), yaw)
    try:
        spot = place(bundle.home, PlacementRequest(side="front"), viewer, room.id)
    except PlacementImpossible as e:  # the open side was the only wall ahead
        assert "no wall in front of you" in str(e)
    else:
        assert spot.surface != opening.id
