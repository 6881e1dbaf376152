"""MRUK scene JSON import: the shared L-shaped Quest scan, hand-built rooms, and bad files."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest

from twinspace.errors import FormatError
from twinspace.geometry import cross, dot, length, point_in_polygon, polygon_area
from twinspace.home.homefile import home_to_json, parse_home
from twinspace.home.model import Home, Room, Surface
from twinspace.home.mruk import is_mruk, parse_mruk, read_mruk

FIXTURE = Path(__file__).resolve().parents[2].parent / "shared/fixtures/mruk/l-shaped-room.unity.json"
needs_fixture = pytest.mark.skipif(not FIXTURE.is_file(), reason="shared MRUK fixture not present")


def approx_vec(actual: Any, expected: Any, tol: float = 1e-6) -> None:
    assert len(actual) == len(expected)
    assert all(abs(a - e) <= tol for a, e in zip(actual, expected, strict=True)), f"{actual} != {expected}"


def check_frame(s: Surface) -> None:
    """A proper rotation: unit quaternion, orthonormal axes, x_axis x y_axis = normal."""
    f = s.frame
    assert abs(math.sqrt(sum(c * c for c in s.pose.rotation)) - 1) < 1e-6
    for a in (f.x_axis, f.y_axis, f.normal):
        assert abs(length(a) - 1) < 1e-6
    assert abs(dot(f.x_axis, f.y_axis)) < 1e-6
    approx_vec(cross(f.x_axis, f.y_axis), f.normal)


def by_label(room: Room, label: str) -> list[Surface]:
    return [s for s in room.surfaces if s.label == label]


# --- the shared fixture --------------------------------------------------------------

@pytest.fixture(scope="module")
def scan() -> Any:
    return read_mruk(FIXTURE)


@needs_fixture
def test_fixture_shape(scan: Any) -> None:
    home = scan.home
    assert home.id == "l-shaped-room" and home.format == "twinspace.home/1"
    assert len(home.rooms) == 1 and not home.people and not home.xr_devices
    room = home.rooms[0]
    assert room.id == "room-c866" and scan.rooms == {"room-c866": "C8666C49A6BB4A57ADDF678FEE7FC962"}
    assert len(by_label(room, "WALL_FACE")) == 8
    labels = {"FLOOR", "CEILING", "TABLE", "COUCH", "WINDOW_FRAME", "DOOR_FRAME", "OTHER"}
    assert {s.label for s in room.surfaces} >= labels
    assert len(by_label(room, "OTHER")) == 4
    for s in room.surfaces:
        check_frame(s)
        assert scan.anchors[s.id].lower().startswith(s.id.rsplit("-", 1)[1])


@needs_fixture
def test_fixture_floor_is_l_shaped(scan: Any) -> None:
    room = scan.home.rooms[0]
    area = polygon_area(room.floor)
    xs, zs = [p[0] for p in room.floor], [p[1] for p in room.floor]
    bbox = (max(xs) - min(xs)) * (max(zs) - min(zs))
    assert len(room.floor) == 8
    assert area == pytest.approx(31, abs=1)
    assert area < 0.85 * bbox  # an L, not a rectangle
    assert area < 0.9 * polygon_area(_convex_hull(room.floor))


@needs_fixture
def test_fixture_walls_face_into_the_room(scan: Any) -> None:
    room = scan.home.rooms[0]
    for wall in by_label(room, "WALL_FACE"):
        n = wall.frame.normal
        assert abs(n[1]) < 1e-6, wall.id  # vertical wall, horizontal normal
        c = wall.pose.position
        assert point_in_polygon(c[0] + 0.3 * n[0], c[2] + 0.3 * n[2], room.floor), wall.id
        assert not point_in_polygon(c[0] - 0.3 * n[0], c[2] - 0.3 * n[2], room.floor), wall.id
        assert wall.frame.y_axis[1] == pytest.approx(1, abs=1e-6)  # height is up


@needs_fixture
def test_fixture_readme_wall_440a_faces_minus_x(scan: Any) -> None:
    room = scan.home.rooms[0]
    wall = room.surfaces[[scan.anchors[s.id] for s in room.surfaces].index("440A7B10D95540E0A76CE6AF4E6598F5")]
    approx_vec(wall.pose.position, (2.018667, 1.5, -2.286625))
    assert wall.frame.normal[0] < -0.99


@needs_fixture
def test_fixture_heights_and_horizontal_tops(scan: Any) -> None:
    room = scan.home.rooms[0]
    assert room.height == pytest.approx(3.0, abs=0.05)
    (floor,), (ceiling,) = by_label(room, "FLOOR"), by_label(room, "CEILING")
    approx_vec(floor.frame.normal, (0, 1, 0))
    approx_vec(ceiling.frame.normal, (0, -1, 0))
    assert floor.boundary is not None and len(floor.boundary) == 8  # the L outline, not a rectangle
    (table,), (couch,) = by_label(room, "TABLE"), by_label(room, "COUCH")
    for top, y, depth in ((table, 0.6, 0.6), (couch, 0.5, 0.5)):
        approx_vec(top.frame.normal, (0, 1, 0))
        assert top.pose.position[1] == pytest.approx(y) and top.depth == pytest.approx(depth)
    for other in by_label(room, "OTHER"):
        approx_vec(other.frame.normal, (0, 1, 0))
        assert other.depth is not None
        bottom = other.pose.position[1] - other.depth
        assert -0.02 < bottom < 0.02  # unlabelled volumes stand on the floor


@needs_fixture
def test_fixture_widest_wall_is_c841(scan: Any) -> None:
    walls = by_label(scan.home.rooms[0], "WALL_FACE")
    widest = max(walls, key=lambda s: s.size[0])
    assert widest.id == "room-c866/wall-face-c841"
    assert scan.anchors[widest.id] == "C8418B0518B84EA4834D05D040C8FDFD"
    assert widest.size[0] == pytest.approx(3.814, abs=1e-3)


@needs_fixture
def test_fixture_round_trips_through_home_file(scan: Any) -> None:
    data = json.loads(json.dumps(home_to_json(scan.home)))
    assert parse_home(data) == scan.home


@needs_fixture
def test_is_mruk(scan: Any) -> None:
    assert is_mruk(json.loads(FIXTURE.read_text()))
    assert is_mruk({"Rooms": [{"UUID": "A", "Anchors": []}]})  # missing flavour: still MRUK (to report it)
    assert not is_mruk(home_to_json(scan.home))
    assert not is_mruk([]) and not is_mruk({"Rooms": "x"})


def _convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    pts = sorted(set(points))

    def half(seq: list[tuple[float, float]]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for p in seq:
            while len(out) >= 2 and ((out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                                     - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]

    return half(pts) + half(pts[::-1])


# --- a hand-built 4 m x 4 m square room, Unity flavour --------------------------------

def plane(uuid: str, label: str, t: list[float], rot: list[float], lo: list[float], hi: list[float],
          boundary: list[list[float]] | None = None) -> dict[str, Any]:
    a: dict[str, Any] = {"UUID": uuid, "SemanticClassifications": [label] if label else [],
                         "Transform": {"Translation": t, "Rotation": rot, "Scale": [1, 1, 1]},
                         "PlaneBounds": {"Min": lo, "Max": hi}}
    a["PlaneBoundary2D"] = boundary or [[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]]
    return a


def square_room() -> dict[str, Any]:
    """Unity coords: walls at x = ±2 and z = ±2, floor at y = 0, ceiling 2.5 m."""
    walls = [
        plane("A1B2C3D4000000000000000000000001", "WALL_FACE", [0, 1.25, 2], [0, 180, 0], [-2, -1.25], [2, 1.25]),
        plane("A1B2FFFF000000000000000000000002", "WALL_FACE", [0, 1.25, -2], [0, 0, 0], [-2, -1.25], [2, 1.25]),
        plane("3C0000000000000000000000000000A3", "WALL_FACE", [2, 1.25, 0], [0, 270, 0], [-2, -1.25], [2, 1.25]),
        plane("4D0000000000000000000000000000A4", "WALL_FACE", [-2, 1.25, 0], [0, 90, 0], [-2, -1.25], [2, 1.25]),
    ]
    table = plane("B00000000000000000000000000000B1", "TABLE", [1, 0.75, 0.5], [270, 0, 0], [-0.5, -0.3], [0.5, 0.3])
    table["VolumeBounds"] = {"Min": [-0.5, -0.3, -0.75], "Max": [0.5, 0.3, 0]}
    box = {"UUID": "B00000000000000000000000000000B2", "SemanticClassifications": [],
           "Transform": {"Translation": [-1, 0.4, -1], "Rotation": [270, 90, 0], "Scale": [1, 1, 1]},
           "VolumeBounds": {"Min": [-0.2, -0.3, -0.4], "Max": [0.2, 0.3, 0]}}
    window = plane("C00000000000000000000000000000C1", "WINDOW_FRAME", [-1, 1, -2], [0, 0, 0], [0, 0], [1, 0.8])
    art = plane("C00000000000000000000000000000C2", "WALL_ART", [1, 1.5, -2], [0, 0, 0], [0, 0], [1, 1],
                boundary=[[0, 0], [1, 0], [0, 1]])
    floor = plane("F1000000000000000000000000000000", "FLOOR", [0, 0, 0], [270, 0, 0], [-2, -2], [2, 2])
    ceiling = plane("F2000000000000000000000000000000", "CEILING", [0, 2.5, 0], [90, 0, 0], [-2, -2], [2, 2])
    mesh = {"UUID": "D0000000000000000000000000000001", "SemanticClassifications": ["GLOBAL_MESH"],
            "Transform": {"Translation": [0, 0, 0], "Rotation": [0, 0, 0], "Scale": [1, 1, 1]}}
    return {"CoordinateSystem": "Unity", "Rooms": [{
        "UUID": "E0000000000000000000000000000001",
        "RoomLayout": {"FloorUuid": floor["UUID"], "CeilingUuid": ceiling["UUID"],
                       "WallsUUid": [w["UUID"] for w in walls]},
        "Anchors": [*walls, table, box, window, art, floor, ceiling, mesh]}]}


def surface(home: Home, sid: str) -> Surface:
    found = home.surface(sid)
    assert found is not None, sid
    return found[1]


S = math.sqrt(0.5)


def test_square_room_exact_numbers() -> None:
    bundle = parse_mruk(square_room(), "square.json", home_id="sq", name="Test room")
    home = bundle.home
    room = home.rooms[0]
    assert (room.id, room.name, home.name) == ("test-room", "Test room", "Test room")
    assert room.height == pytest.approx(2.5)
    assert polygon_area(room.floor) == pytest.approx(16)
    assert sorted(room.floor) == sorted([(-2.0, -2.0), (2.0, -2.0), (2.0, 2.0), (-2.0, 2.0)])
    assert len(room.surfaces) == 10  # the GLOBAL_MESH anchor has no plane or volume
    for s in room.surfaces:
        check_frame(s)
    # Unity z = +2 wall facing -Z is twinspace z = -2 facing +Z: the identity rotation.
    expected = {  # id: (position, normal, width axis, rotation)
        "wall-face-a1b2c3d4": ((0, 1.25, -2), (0, 0, 1), (1, 0, 0), (0, 0, 0, 1)),
        "wall-face-a1b2ffff": ((0, 1.25, 2), (0, 0, -1), (-1, 0, 0), (0, 1, 0, 0)),
        "wall-face-3c00": ((2, 1.25, 0), (-1, 0, 0), (0, 0, 1), (0, -S, 0, S)),
        "wall-face-4d00": ((-2, 1.25, 0), (1, 0, 0), (0, 0, -1), (0, S, 0, S)),
    }
    for sid, (pos, normal, x_axis, rot) in expected.items():
        w = surface(home, f"test-room/{sid}")
        approx_vec(w.pose.position, pos)
        approx_vec(w.frame.normal, normal)
        approx_vec(w.frame.x_axis, x_axis)
        approx_vec(w.pose.rotation, rot)
        assert w.size == (4, 2.5) and w.boundary is None and w.depth is None


def test_square_room_ids_and_flat_things() -> None:
    bundle = parse_mruk(square_room(), "square.json")
    home = bundle.home
    room = home.rooms[0]
    assert room.id == "room-e000" and room.name == "Room E000" and home.id == "mruk-home"
    ids = [s.id for s in room.surfaces]
    assert "room-e000/wall-face-a1b2c3d4" in ids and "room-e000/wall-face-a1b2ffff" in ids  # "a1b2" clashed
    assert "room-e000/wall-face-3c00" in ids  # the others keep 4 characters
    assert "room-e000/table-b000" in ids and "room-e000/other-b000" in ids  # unique per label
    assert len(set(ids)) == len(ids)
    assert set(bundle.anchors.values()) == {a["UUID"] for a in square_room()["Rooms"][0]["Anchors"][:-1]}

    floor, ceiling = surface(home, "room-e000/floor-f100"), surface(home, "room-e000/ceiling-f200")
    approx_vec(floor.frame.normal, (0, 1, 0))
    approx_vec(ceiling.frame.normal, (0, -1, 0))
    approx_vec(ceiling.pose.position, (0, 2.5, 0))

    table = surface(home, "room-e000/table-b000")  # plane + volume: one surface, the volume's top
    approx_vec(table.pose.position, (1, 0.75, -0.5))
    approx_vec(table.frame.normal, (0, 1, 0))
    assert table.size == (1, 0.6) and table.depth == 0.75 and table.boundary is None

    box = surface(home, "room-e000/other-b000")  # unlabelled volume turned 90 deg
    approx_vec(box.pose.position, (-1, 0.4, 1))
    approx_vec(box.frame.normal, (0, 1, 0))
    assert box.size == (0.4, 0.6) and box.depth == 0.4
    # its width runs along Unity local X, which yaw 90 turns to Unity -Z = twinspace +Z; width axis is minus that
    approx_vec(box.frame.x_axis, (0, 0, -1))

    window = surface(home, "room-e000/window-frame-c000")  # rect offset from the anchor folds into the pose
    approx_vec(window.pose.position, (-0.5, 1.4, 2))
    approx_vec(window.frame.normal, (0, 0, -1))
    assert window.size == (1, 0.8)


def test_non_rectangular_boundary_is_kept_in_the_surface_frame() -> None:
    home = parse_mruk(square_room(), "square.json").home
    art = surface(home, "room-e000/wall-art-c000")
    assert art.boundary is not None and len(art.boundary) == 3
    # Unity local (x, y) on this yaw-0 anchor at (1, 1.5, -2) is Unity world (1 + x, 1.5 + y, -2).
    world = sorted(tuple(round(c, 6) for c in art.frame.to_world((u, v, 0.0))) for u, v in art.boundary)
    assert world == sorted([(1.0, 1.5, 2.0), (2.0, 1.5, 2.0), (1.0, 2.5, 2.0)])
    # the mirror keeps the outline's winding relative to the surface frame
    ring = art.boundary
    signed = sum(ring[i][0] * ring[(i + 1) % 3][1] - ring[(i + 1) % 3][0] * ring[i][1] for i in range(3))
    assert signed > 0  # Unity's [[0,0],[1,0],[0,1]] is counter-clockwise too


def test_round_trip_of_hand_built_room() -> None:
    home = parse_mruk(square_room(), "square.json").home
    assert parse_home(json.loads(json.dumps(home_to_json(home)))) == home


# --- Unreal flavour ------------------------------------------------------------------

def to_unreal(doc: dict[str, Any]) -> dict[str, Any]:
    """Encode a Unity-flavour document the way MRUK's SerializationHelpers.Serialize does."""
    out = copy.deepcopy(doc)
    out["CoordinateSystem"] = "Unreal"
    for room in out["Rooms"]:
        for a in room["Anchors"]:
            t, r = a["Transform"]["Translation"], a["Transform"]["Rotation"]
            a["Transform"]["Translation"] = [t[2] * 100, t[0] * 100, t[1] * 100]
            a["Transform"]["Rotation"] = [r[0], 180 + r[1], r[2]]
            if "PlaneBounds" in a:
                lo, hi = a["PlaneBounds"]["Min"], a["PlaneBounds"]["Max"]
                a["PlaneBounds"] = {"Min": [-hi[0] * 100, lo[1] * 100], "Max": [-lo[0] * 100, hi[1] * 100]}
            if "PlaneBoundary2D" in a:
                a["PlaneBoundary2D"] = [[-x * 100, y * 100] for x, y in reversed(a["PlaneBoundary2D"])]
            if "VolumeBounds" in a:
                lo, hi = a["VolumeBounds"]["Min"], a["VolumeBounds"]["Max"]
                a["VolumeBounds"] = {"Min": [-hi[2] * 100, lo[0] * 100, lo[1] * 100],
                                     "Max": [-lo[2] * 100, hi[0] * 100, hi[1] * 100]}
    return out


def assert_same_home(a: Home, b: Home) -> None:
    for ra, rb in zip(a.rooms, b.rooms, strict=True):
        assert ra.height == pytest.approx(rb.height)
        for pa, pb in zip(ra.floor, rb.floor, strict=True):
            approx_vec(pa, pb, 1e-5)
        for sa, sb in zip(ra.surfaces, rb.surfaces, strict=True):
            assert (sa.id, sa.label) == (sb.id, sb.label)
            approx_vec(sa.pose.position, sb.pose.position, 1e-5)
            approx_vec(sa.frame.normal, sb.frame.normal, 1e-6)
            approx_vec(sa.frame.x_axis, sb.frame.x_axis, 1e-6)
            approx_vec(sa.size, sb.size, 1e-5)
            assert (sa.depth is None) == (sb.depth is None)
            assert (sa.boundary is None) == (sb.boundary is None)
            for pa, pb in zip(sa.boundary or [], sb.boundary or [], strict=True):
                approx_vec(pa, pb, 1e-5)


def test_unreal_flavour_matches_unity() -> None:
    assert_same_home(parse_mruk(to_unreal(square_room()), "u.json").home, parse_mruk(square_room(), "s.json").home)


@needs_fixture
def test_unreal_flavour_of_the_fixture() -> None:
    unity = read_mruk(FIXTURE).home
    assert_same_home(parse_mruk(to_unreal(json.loads(FIXTURE.read_text())), "u.json", home_id=unity.id).home, unity)


def test_unreal_native_semantics() -> None:
    """Independent of MRUK's Unity decoder: an Unreal plane faces its local -X (MRUK Unreal's
    plane mesh normal), lies in local (Y, Z), and Unreal world (X fwd, Y right, Z up, cm) is
    twinspace (Y, Z, -X) / 100."""
    yaw, pitch = 30.0, 270.0  # a yawed wall, and a floor (pitched down: local X points down)
    doc = {"CoordinateSystem": "Unreal", "Rooms": [{"UUID": "E1", "RoomLayout": {"FloorUuid": "F1"}, "Anchors": [
        {"UUID": "F1", "SemanticClassifications": ["FLOOR"],
         "Transform": {"Translation": [0, 0, 0], "Rotation": [pitch, 0, 0], "Scale": [1, 1, 1]},
         "PlaneBounds": {"Min": [-200, -100], "Max": [200, 100]}},
        {"UUID": "W1", "SemanticClassifications": ["WALL_FACE"],
         "Transform": {"Translation": [150, 50, 120], "Rotation": [0, yaw, 0], "Scale": [1, 1, 1]},
         "PlaneBounds": {"Min": [-100, -120], "Max": [100, 120]}}]}]}
    home = parse_mruk(doc, "ue.json")
    room = home.home.rooms[0]

    def ue_to_twin(v: tuple[float, float, float]) -> tuple[float, float, float]:
        return (v[1], v[2], -v[0])

    wall = surface(home.home, "room-e1/wall-face-w1")
    forward = (math.cos(math.radians(yaw)), math.sin(math.radians(yaw)), 0.0)  # FRotator yaw turns X toward Y
    approx_vec(wall.frame.normal, tuple(-c for c in ue_to_twin(forward)))
    approx_vec(wall.pose.position, (0.5, 1.2, -1.5))
    right = (-math.sin(math.radians(yaw)), math.cos(math.radians(yaw)), 0.0)  # local +Y, the plane's x
    approx_vec(wall.frame.x_axis, ue_to_twin(right))
    assert wall.size == (2, 2.4)
    floor = surface(home.home, "room-e1/floor-f1")
    approx_vec(floor.frame.normal, (0, 1, 0))  # Pitch 270 points local X down; the plane faces -X: up
    assert polygon_area(room.floor) == pytest.approx(8)


# --- bad files -----------------------------------------------------------------------

def mutate(fn: Any) -> dict[str, Any]:
    doc = square_room()
    fn(doc)
    return doc


def _anchor(doc: dict[str, Any], uuid_head: str) -> dict[str, Any]:
    return next(a for a in doc["Rooms"][0]["Anchors"] if a["UUID"].startswith(uuid_head))


BAD: list[tuple[str, Any, str, str]] = [
    ("no-flavour", lambda d: d.pop("CoordinateSystem"), "CoordinateSystem", "missing"),
    ("openxr", lambda d: d.update(CoordinateSystem="OpenXR"), "CoordinateSystem", "unknown flavour 'OpenXR'"),
    ("no-rooms", lambda d: d.update(Rooms=[]), "Rooms", "non-empty"),
    ("no-transform", lambda d: d["Rooms"][0]["Anchors"][2].pop("Transform"),
     "Rooms[0].Anchors[2].Transform", "missing"),
    ("short-rotation", lambda d: d["Rooms"][0]["Anchors"][3]["Transform"].update(Rotation=[0, 90]),
     "Rooms[0].Anchors[3].Transform.Rotation", "expected 3 numbers"),
    ("string-number", lambda d: d["Rooms"][0]["Anchors"][1]["Transform"].update(Translation=[0, "1", 0]),
     "Rooms[0].Anchors[1].Transform.Translation[1]", "expected a number"),
    ("no-floor", lambda d: (d["Rooms"][0]["Anchors"].pop(8), d["Rooms"][0]["RoomLayout"].pop("FloorUuid")),
     "Rooms[0]", "no floor"),
    ("dangling-floor", lambda d: d["Rooms"][0]["RoomLayout"].update(FloorUuid="FFFF"), "Rooms[0].RoomLayout.FloorUuid",
     "not in this room"),
    ("inverted-bounds", lambda d: d["Rooms"][0]["Anchors"][0]["PlaneBounds"].update(Min=[2, -1.25], Max=[-2, 1.25]),
     "Rooms[0].Anchors[0].PlaneBounds", "must exceed Min"),
    ("bad-boundary-point", lambda d: d["Rooms"][0]["Anchors"][9]["PlaneBoundary2D"].__setitem__(1, [1]),
     "Rooms[0].Anchors[9].PlaneBoundary2D[1]", "expected [x, y]"),
    ("flat-scale", lambda d: d["Rooms"][0]["Anchors"][0]["Transform"].update(Scale=[1, 0, 1]),
     "Rooms[0].Anchors[0].Transform.Scale", "positive"),
    ("duplicate-uuid", lambda d: d["Rooms"][0]["Anchors"][1].update(UUID=d["Rooms"][0]["Anchors"][0]["UUID"]),
     "Rooms[0].Anchors[1].UUID", "unique"),
    ("no-uuid", lambda d: d["Rooms"][0]["Anchors"][4].pop("UUID"), "Rooms[0].Anchors[4].UUID", "UUID"),
]


@pytest.mark.parametrize("name,change,where,message", BAD, ids=[b[0] for b in BAD])
def test_bad_documents_name_file_and_path(tmp_path: Path, name: str, change: Any, where: str, message: str) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(mutate(change)))
    with pytest.raises(FormatError) as e:
        read_mruk(path)
    assert e.value.file == str(path)
    assert e.value.where == where
    assert message in e.value.message
    assert str(path) in str(e.value) and where in str(e.value)


def test_not_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"CoordinateSystem": "Unity",\n  "Rooms": [\n')
    with pytest.raises(FormatError) as e:
        read_mruk(path)
    assert e.value.file == str(path) and e.value.where.startswith("line ")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers(tmp_path: Path, literal: str) -> None:
    path = tmp_path / "nan.json"
    text = json.dumps(square_room()).replace('"Translation": [0, 1.25, 2]', f'"Translation": [0, {literal}, 2]', 1)
    assert literal in text
    path.write_text(text)
    with pytest.raises(FormatError) as e:
        read_mruk(path)
    assert e.value.where == "Rooms[0].Anchors[0].Transform.Translation[1]"
    assert "finite" in e.value.message


def test_tiny_floor_is_rejected() -> None:
    def shrink(d: dict[str, Any]) -> None:
        floor = _anchor(d, "F1000000000000000000000000000000")
        floor["PlaneBounds"] = {"Min": [-0.1, -0.1], "Max": [0.1, 0.1]}
        floor["PlaneBoundary2D"] = [[-0.1, -0.1], [0.1, -0.1], [0.1, 0.1], [-0.1, 0.1]]
    with pytest.raises(FormatError) as e:
        parse_mruk(mutate(shrink), "tiny.json")
    assert e.value.where == "Rooms[0].Anchors[8].PlaneBoundary2D" and "area" in e.value.message


def test_missing_file() -> None:
    with pytest.raises(FormatError) as e:
        read_mruk("/nonexistent/scan.json")
    assert "not found" in e.value.message
