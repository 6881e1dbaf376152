"""Import a Meta MRUK scene JSON (a Quest room scan) as a `twinspace.home/1` home.

MRUK writes `{"CoordinateSystem": "Unity" | "Unreal", "Rooms": [{"UUID", "RoomLayout",
"Anchors": [...]}]}`; each anchor has `Transform {Translation, Rotation, Scale}` and optionally
`PlaneBounds {Min, Max}`, `PlaneBoundary2D` and `VolumeBounds {Min, Max}` in anchor-local units.

Coordinates:
- "Unity": left-handed, +Y up, +Z forward, metres; Rotation is Euler degrees applied Z, then X,
  then Y. A plane lies in local XY with local +Z its normal, facing into the room.
- "Unreal": left-handed, Z up, X forward, centimetres; Rotation is an FRotator [Pitch, Yaw, Roll];
  a plane lies in local YZ and faces local -X. It is turned into Unity numbers exactly as MRUK's
  own `SerializationHelpers.Deserialize` does (and as its `Serialize` inverts).
- twinspace is right-handed +Y up: mirror Z. A flat thing's frame is +X width, +Y height, +Z
  normal into the room, so the mirrored Unity frame is also turned 180 degrees about its own Y
  (Unity local X and Z flip); that keeps it a proper rotation with x_axis x y_axis = normal.

One surface per anchor: an anchor with a volume (TABLE, COUCH, OTHER, ...) becomes its top face
with `depth` = the volume's height, even when it also has a plane (the plane's outline is kept
when that plane is the top face); a SCREEN volume becomes its vertical front face, facing away
from its wall (`home/scan.py`, shared with WebXR captures). An open side of a room (labelled
INVISIBLE_WALL_FACE, in v203 together with WALL_FACE) stays INVISIBLE_WALL_FACE: it bounds the
room but takes no panels. Anchors with neither plane nor volume (GLOBAL_MESH) are skipped.
Surface ids are `<room-id>/<label>-<uuid prefix>` (e.g. `room-c866/wall-face-c841`; the prefix
grows past 4 characters only on a clash); `MrukBundle.anchors` maps each id to its full UUID.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, Optional

from pydantic import ValidationError

from twinspace.errors import FormatError, format_error_from_validation
from twinspace.geometry import Quat, Vec3, polygon_area, quat_from_basis, quat_mul, quat_rotate
from twinspace.home.homefile import HomeBundle, read_json
from twinspace.home.model import Home, Pose, Room, Surface, SurfaceLabel
from twinspace.home.scan import (
    Box, box_surface, edge_distance, is_wall, label_from_scene, short_ids, surface_id, turned_into, wall_ends, wall_loop,
)

FLAVOURS = ("Unity", "Unreal")
UNREAL_CM_PER_M = 100.0  # MRUK's UnrealWorldToMeters
_RECT_TOLERANCE_M = 0.01
WALL_OFF_FLOOR_M = 0.25  # a wall corner farther than this from the floor outline: they disagree

Point2 = tuple[float, float]


@dataclass
class MrukBundle(HomeBundle):
    """A HomeBundle plus where each id came from: surface/room id -> MRUK UUID."""

    anchors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the import repaired, one line each
    rooms: dict[str, str] = field(default_factory=dict)


@dataclass
class _Anchor:
    """One anchor, always in Unity-flavour numbers (metres, Unity Euler, Unity-local bounds)."""

    where: str
    uuid: str
    labels: list[str]
    translation: Vec3
    euler: Vec3
    scale: Vec3
    plane: Optional[tuple[Point2, Point2]] = None  # (min, max)
    boundary: Optional[list[Point2]] = None
    volume: Optional[tuple[Vec3, Vec3]] = None  # (min, max)

    @property
    def label(self) -> SurfaceLabel:
        return label_from_scene(self.labels)


def is_mruk(data: Any) -> bool:
    """Whether a parsed JSON document looks like an MRUK scene (even a broken one)."""
    if not isinstance(data, dict) or "format" in data:
        return False
    if "CoordinateSystem" in data:
        return True
    rooms = data.get("Rooms")
    return isinstance(rooms, list) and any(isinstance(r, dict) and "Anchors" in r for r in rooms)


def read_mruk(path: str | os.PathLike[str], home_id: str | None = None, name: str | None = None) -> MrukBundle:
    """Read an MRUK scene file. The home id defaults to the file name, slugified."""
    p = Path(path)
    return parse_mruk(read_json(p), str(p), home_id or home_id_for(p), name)


def home_id_for(path: str | os.PathLike[str]) -> str:
    """A home id from a scan's file name: `l-shaped-room.unity.json` -> `l-shaped-room`."""
    name = Path(path).name.removesuffix(".json")
    return _slug(re.sub(r"(\.(unity|unreal|mruk|scene))+$", "", name, flags=re.I))


def parse_mruk(data: Any, source: str, home_id: str = "mruk-home", name: str | None = None) -> MrukBundle:
    """Convert a parsed MRUK document; raises FormatError naming `source` and the JSON path.

    `name` names the home; with a single room it also names (and ids) that room, otherwise
    rooms are `room-<uuid prefix>` / "Room <UUID PREFIX>".
    """
    src = _Source(source)
    if not isinstance(data, dict):
        src.fail("(top level)", "expected a JSON object with CoordinateSystem and Rooms")
    flavour = data.get("CoordinateSystem")
    if flavour is None:
        src.fail("CoordinateSystem", 'missing; an MRUK scene names its flavour here ("Unity" or "Unreal")')
    if flavour not in FLAVOURS:
        src.fail("CoordinateSystem", f"unknown flavour {flavour!r}; supported: {', '.join(FLAVOURS)}")
    rooms_raw = data.get("Rooms")
    if not isinstance(rooms_raw, list) or not rooms_raw:
        src.fail("Rooms", "expected a non-empty list of rooms")
    raw_ids: list[str] = []
    for i, r in enumerate(rooms_raw):
        if not isinstance(r, dict):
            src.fail(f"Rooms[{i}]", "expected a room object")
        raw_ids.append(src.uuid(r, f"Rooms[{i}]"))
        if raw_ids[-1] in raw_ids[:-1]:
            src.fail(f"Rooms[{i}].UUID", f"{raw_ids[-1]} is used by Rooms[{raw_ids.index(raw_ids[-1])}] too")
    single_named = name is not None and len(rooms_raw) == 1
    room_ids = [_slug(name or "")] if single_named else [f"room-{p}" for p in short_ids(raw_ids)]
    anchors: dict[str, str] = {}
    notes: list[str] = []
    rooms = []
    for i, r in enumerate(rooms_raw):
        parsed = [src.anchor(a, f"Rooms[{i}].Anchors[{j}]", flavour)
                  for j, a in enumerate(src.field(r, "Anchors", f"Rooms[{i}]", list))]
        room_name = name if single_named and name else f"Room {raw_ids[i][:4].upper()}"
        rooms.append(_room(src, r, f"Rooms[{i}]", room_ids[i], room_name, parsed, anchors, notes))
    try:
        home = Home(id=home_id, name=name or home_id.replace("-", " ").capitalize(), rooms=rooms)
    except ValidationError as e:
        err = format_error_from_validation(source, e)
        raise FormatError(source, f"(after conversion) {err.where}", err.message) from None
    return MrukBundle(home, anchors=anchors, rooms=dict(zip(room_ids, raw_ids, strict=True)), notes=notes)


# --- conversion ----------------------------------------------------------------------

def _room(src: _Source, raw: dict[str, Any], where: str, room_id: str, name: str,
          anchors: list[_Anchor], uuids: dict[str, str], notes: list[str]) -> Room:
    seen: dict[str, str] = {}
    for a in anchors:
        if a.uuid in seen:
            src.fail(f"{a.where}.UUID", f"{a.uuid} is used by {seen[a.uuid]} too; anchor UUIDs must be unique")
        seen[a.uuid] = a.where
    layout = src.field(raw, "RoomLayout", where, dict) if raw.get("RoomLayout") is not None else {}
    floor = _layout_anchor(src, anchors, layout, f"{where}.RoomLayout", "FloorUuid", "FLOOR")
    if floor is None:
        src.fail(where, "room has no floor: no RoomLayout.FloorUuid and no anchor labelled FLOOR")
    if floor.plane is None:
        src.fail(floor.where, "the floor anchor has no PlaneBounds or PlaneBoundary2D")
    outline = floor.boundary or _rect(*floor.plane)
    floor_pts = [(p[0], p[2]) for p in (_world(floor, (x, y, 0.0)) for x, y in outline)]
    if polygon_area(floor_pts) < 0.25:
        src.fail(f"{floor.where}.PlaneBoundary2D", "the floor outline encloses almost no area (< 0.25 m²)")
    floor_y = _world(floor, (0.0, 0.0, 0.0))[1]
    ceiling = _layout_anchor(src, anchors, layout, f"{where}.RoomLayout", "CeilingUuid", "CEILING")
    planes = [(a, s) for a in anchors if a.volume is None and (s := _plane(a)) is not None]
    floor_pts = _floor_along_walls(src, floor, floor_pts, [s for a, s in planes if is_wall(a.label)], notes)
    planes = [(a, turned_into(s, floor_pts) if is_wall(a.label) else s) for a, s in planes]
    walls = [s for a, s in planes if is_wall(a.label)]
    volumes = [(a, _volume_face(a, walls, floor_pts)) for a in anchors if a.volume is not None]
    surfaces = sorted(planes + volumes, key=lambda pair: anchors.index(pair[0]))
    if ceiling is not None:
        height = _world(ceiling, (0.0, 0.0, 0.0))[1] - floor_y
        if height <= 0:
            src.fail(f"{ceiling.where}.Transform.Translation", f"ceiling is {height:.2f} m above the floor")
    else:  # no ceiling scanned: the tallest wall top, else the model's default
        tops = [s.pose.position[1] + s.size[1] / 2 for s in walls]
        height = max(tops) - floor_y if tops else 2.5
    ids = short_ids([a.uuid for a, _ in surfaces], by=[a.label for a, _ in surfaces])
    out = []
    for (a, s), prefix in zip(surfaces, ids, strict=True):
        sid = surface_id(room_id, a.label, prefix)
        uuids[sid] = a.uuid
        if floor_y:  # the home format's floor is y = 0; scans put it where the headset thought
            x, y, z = s.pose.position
            s = s.model_copy(update={"pose": s.pose.model_copy(update={"position": (x, round(y - floor_y, 6) + 0.0, z)})})
        out.append(s.model_copy(update={"id": sid}))
    return Room(id=room_id, name=name, height=round(height, 6), floor=_rounded(floor_pts), surfaces=out)


def _floor_along_walls(src: _Source, floor: _Anchor, outline: list[Point2], walls: list[Surface],
                       notes: list[str]) -> list[Point2]:
    """The floor outline, or the walls' own loop when the scan's floor boundary strays from them
    (MRUK's hand-made test scenes do: their floor is another shape than their walls)."""
    strays = [(edge_distance(c, outline), w) for w in walls for c in wall_ends(w)]
    worst, wall = max(strays, key=lambda t: t[0], default=(0.0, None))
    if wall is None or worst <= WALL_OFF_FLOOR_M:
        return outline
    loop = wall_loop(walls)
    if loop is None or polygon_area(loop) < 0.25:  # walls that are no room's outline: keep the floor
        notes.append(f"{floor.where}: a wall corner is {worst:.2f} m off the floor outline, and the walls "
                     "do not close into a loop; kept the floor outline")
        return outline
    notes.append(f"{floor.where}: the floor outline strays up to {worst:.2f} m from the walls; "
                 f"used the {len(walls)} walls' outline ({polygon_area(loop):.1f} m²) instead")
    return _rounded(loop)


def _plane(a: _Anchor) -> Optional[Surface]:
    if a.plane is None:
        return None
    (x0, y0), (x1, y1) = a.plane
    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
    size = ((x1 - x0) * a.scale[0], (y1 - y0) * a.scale[1])
    rotation = _frame(a, 0, 1, 2, 1.0)
    return _make(a, _world(a, (*centre, 0.0)), rotation, size, None, _local_outline(a, centre))


def _volume_face(a: _Anchor, walls: list[Surface], floor: list[Point2]) -> Surface:
    """The volume as a shared `Box` (twinspace axes, scaled bounds) and the face `scan` picks."""
    q = _unity_quat(a.euler)
    axes = tuple(_mirror(quat_rotate(q, e)) for e in ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)))
    lo, hi = a.volume  # type: ignore[misc]
    box = Box(a.label, _world(a, (0.0, 0.0, 0.0)), axes,  # type: ignore[arg-type]
              tuple(lo[n] * a.scale[n] for n in range(3)), tuple(hi[n] * a.scale[n] for n in range(3)))  # type: ignore[arg-type]
    face = box_surface(box, walls, floor)
    k, s = box.up_axis()
    # The plane's outline belongs to this face only when the plane *is* the top face (MRUK desks).
    if a.label != "SCREEN" and k == 2 and s > 0 and abs(hi[2]) < 1e-6:
        lx, ly = (lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2
        face = face.model_copy(update={"boundary": _local_outline(a, (lx, ly))})
    return face


def _make(a: _Anchor, position: Vec3, rotation: Quat, size: tuple[float, float],
          depth: Optional[float], boundary: Optional[list[Point2]]) -> Surface:
    return Surface(id="pending", label=a.label, pose=Pose(position=_rounded([position])[0],
                   rotation=tuple(round(c, 9) for c in rotation)),  # type: ignore[arg-type]
                   size=(round(size[0], 6), round(size[1], 6)),
                   depth=None if depth is None else round(depth, 6), boundary=boundary)


def _unity_quat(euler: Vec3) -> Quat:
    """Unity's Quaternion.Euler: rotate about Z, then X, then Y (q = qy * qx * qz)."""
    def axis(n: int, deg: float) -> Quat:
        h = math.radians(deg) / 2
        v = [0.0, 0.0, 0.0]
        v[n] = math.sin(h)
        return (v[0], v[1], v[2], math.cos(h))
    return quat_mul(axis(1, euler[1]), quat_mul(axis(0, euler[0]), axis(2, euler[2])))


def _mirror(v: Vec3) -> Vec3:
    """Unity (left-handed) to twinspace (right-handed): mirror Z."""
    return (v[0], v[1], -v[2])


def _world(a: _Anchor, local: Vec3) -> Vec3:
    """A Unity-local point of the anchor in twinspace world coordinates."""
    scaled = (local[0] * a.scale[0], local[1] * a.scale[1], local[2] * a.scale[2])
    p = quat_rotate(_unity_quat(a.euler), scaled)
    return _mirror((a.translation[0] + p[0], a.translation[1] + p[1], a.translation[2] + p[2]))


def _frame(a: _Anchor, i: int, j: int, k: int, s: float) -> Quat:
    """Twinspace rotation with +Z = s * (Unity local axis k), +Y = s * axis j, +X = -(axis i).

    Mirroring flips handedness; negating the width axis flips it back (i, j, k is cyclic), so
    for a plane (i, j, k = X, Y, Z) this is the mirrored Unity rotation turned 180 deg about Y.
    """
    q = _unity_quat(a.euler)
    e = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    x = _mirror(quat_rotate(q, e[i]))
    y = _mirror(quat_rotate(q, e[j]))
    z = _mirror(quat_rotate(q, e[k]))
    return quat_from_basis((-x[0], -x[1], -x[2]), (s * y[0], s * y[1], s * y[2]), (s * z[0], s * z[1], s * z[2]))


def _local_outline(a: _Anchor, centre: Point2) -> Optional[list[Point2]]:
    """PlaneBoundary2D in the surface's local frame, or None when it is just a rectangle.

    Surface-local x is minus Unity-local x (see `_frame`); reversing keeps the winding.
    """
    if a.boundary is None or _is_rect(a.boundary):
        return None
    pts = [(-(x - centre[0]) * a.scale[0], (y - centre[1]) * a.scale[1]) for x, y in reversed(a.boundary)]
    return [(round(x, 6), round(y, 6)) for x, y in pts]


def _is_rect(pts: list[Point2]) -> bool:
    if len(pts) != 4:
        return False
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    corners = [(x, y) for x in (min(xs), max(xs)) for y in (min(ys), max(ys))]
    return all(any(math.dist(c, p) <= _RECT_TOLERANCE_M for p in pts) for c in corners)


def _rect(lo: Point2, hi: Point2) -> list[Point2]:
    return [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1])]


def _layout_anchor(src: _Source, anchors: list[_Anchor], layout: dict[str, Any], where: str,
                   key: str, label: str) -> Optional[_Anchor]:
    ref = layout.get(key)
    if ref:
        found = next((a for a in anchors if a.uuid.lower() == str(ref).lower()), None)
        if found is None:
            src.fail(f"{where}.{key}", f"names anchor {ref}, which is not in this room's Anchors")
        return found
    return next((a for a in anchors if label in a.labels), None)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "mruk-home"


def _rounded(points: list[Any]) -> list[Any]:
    return [tuple(round(c, 6) + 0.0 for c in p) for p in points]  # + 0.0 drops "-0.0"


# --- reading the document, with JSON paths in every error -----------------------------

class _Source:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, message: str) -> NoReturn:
        raise FormatError(self.file, where, message)

    def field(self, obj: dict[str, Any], key: str, where: str, kind: type) -> Any:
        if key not in obj:
            self.fail(f"{where}.{key}", "missing")
        value = obj[key]
        if not isinstance(value, kind):
            wanted = "a list" if kind is list else "an object"
            self.fail(f"{where}.{key}", f"expected {wanted}, found {type(value).__name__}")
        return value

    def num(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where, f"expected a number, found {value!r}")
        if not math.isfinite(value):
            self.fail(where, f"not a finite number ({value})")
        return float(value)

    def vec(self, obj: dict[str, Any], key: str, where: str, n: int) -> tuple[float, ...]:
        value = obj.get(key)
        if not isinstance(value, list) or len(value) != n:
            self.fail(f"{where}.{key}", f"expected {n} numbers, found {value!r}" if key in obj else "missing")
        return tuple(self.num(v, f"{where}.{key}[{m}]") for m, v in enumerate(value))

    def uuid(self, obj: dict[str, Any], where: str) -> str:
        value = obj.get("UUID")
        if not isinstance(value, str) or not value or re.search(r"\s", value):
            self.fail(f"{where}.UUID", f"expected a UUID string, found {value!r}")
        return value

    def bounds(self, obj: dict[str, Any], key: str, where: str, n: int) -> Optional[tuple[Any, Any]]:
        if obj.get(key) is None:
            return None
        box = self.field(obj, key, where, dict)
        lo, hi = self.vec(box, "Min", f"{where}.{key}", n), self.vec(box, "Max", f"{where}.{key}", n)
        if any(top <= bottom for bottom, top in zip(lo, hi, strict=True)):
            self.fail(f"{where}.{key}", f"Max {list(hi)} must exceed Min {list(lo)} on every axis")
        return lo, hi

    def anchor(self, raw: Any, where: str, flavour: str) -> _Anchor:
        if not isinstance(raw, dict):
            self.fail(where, "expected an anchor object")
        uuid = self.uuid(raw, where)
        labels = raw.get("SemanticClassifications") or []
        if not isinstance(labels, list) or not all(isinstance(s, str) for s in labels):
            self.fail(f"{where}.SemanticClassifications", "expected a list of label strings")
        t = self.field(raw, "Transform", where, dict)
        tw = f"{where}.Transform"
        translation, rotation = self.vec(t, "Translation", tw, 3), self.vec(t, "Rotation", tw, 3)
        scale = self.vec(t, "Scale", tw, 3) if t.get("Scale") is not None else (1.0, 1.0, 1.0)
        if any(c <= 0 for c in scale):
            self.fail(f"{tw}.Scale", f"must be positive on every axis, found {list(scale)}")
        plane = self.bounds(raw, "PlaneBounds", where, 2)
        volume = self.bounds(raw, "VolumeBounds", where, 3)
        boundary = None
        if raw.get("PlaneBoundary2D") is not None:
            pts = self.field(raw, "PlaneBoundary2D", where, list)
            if len(pts) < 3:
                self.fail(f"{where}.PlaneBoundary2D", f"needs at least 3 points, found {len(pts)}")
            boundary = [self._point(p, f"{where}.PlaneBoundary2D[{m}]") for m, p in enumerate(pts)]
        if flavour == "Unreal":  # to Unity numbers, as MRUK's SerializationHelpers.Deserialize does
            c = UNREAL_CM_PER_M
            translation = (translation[1] / c, translation[2] / c, translation[0] / c)
            rotation = (rotation[0], rotation[1] + 180.0, rotation[2])
            scale = (scale[1], scale[2], scale[0])
            if plane:
                (lx, ly), (hx, hy) = plane
                plane = ((-hx / c, ly / c), (-lx / c, hy / c))
            if boundary:
                boundary = [(-x / c, y / c) for x, y in reversed(boundary)]
            if volume:
                lo, hi = volume
                volume = ((lo[1] / c, lo[2] / c, -hi[0] / c), (hi[1] / c, hi[2] / c, -lo[0] / c))
        if plane is None and boundary is not None:
            xs, ys = [p[0] for p in boundary], [p[1] for p in boundary]
            plane = ((min(xs), min(ys)), (max(xs), max(ys)))
        return _Anchor(where, uuid, labels, translation, rotation, scale, plane, boundary, volume)  # type: ignore[arg-type]

    def _point(self, p: Any, where: str) -> Point2:
        if not isinstance(p, list) or len(p) != 2:
            self.fail(where, f"expected [x, y], found {p!r}")
        return (self.num(p[0], f"{where}[0]"), self.num(p[1], f"{where}[1]"))
