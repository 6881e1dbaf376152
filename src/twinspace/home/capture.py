"""Turn a WebXR room capture (plane and mesh detection, from the headset) into a room.

A capture is what the client read from `frame.detectedPlanes` and `frame.detectedMeshes` in
one reference space (`local-floor`: right-handed, metres, +Y up, like twinspace):

- a plane: `pose` (position, orientation) of its plane space, whose +Y is the plane's normal
  and whose x/z hold its `polygon` (WebXR's DOMPoints, y = 0), and a `semanticLabel`;
- a mesh: `pose` of its mesh space, `vertices` (x, y, z, ...) and `indices` in that space,
  and a `semanticLabel`. Meta's runtime gives each furniture volume as a box mesh; its box in
  mesh space is the volume (`scan.Box`), whatever the triangles.

The room: the largest floor plane's outline, the height from the ceiling plane (else the
walls' tops), walls facing into the room (`scan`), every other plane as a labelled surface
and every volume as its top (a screen: its front). The twin's floor is y = 0, so everything is
lowered by the floor plane's height; `Captured.floor_y` keeps that offset for alignment.
The global mesh is not a surface and is skipped. A bad capture raises InvalidInput naming the
plane or mesh and what to do; nothing is returned half-made.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Literal, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from twinspace.errors import InvalidInput
from twinspace.geometry import UP, Frame, cross, dot, length, normalize, polygon_area, scale, sub
from twinspace.home.model import Pose, Room, Surface, SurfaceLabel
from twinspace.home.scan import (
    Box, box_surface, flat_surface, is_wall, label_from_webxr, rounded, surface_id, turned_into, walls_from_floor,
)

MAX_PLANES, MAX_MESHES, MAX_VERTICES = 500, 500, 2_000_000  # a real room has tens of each
DUPLICATE_M = 0.25  # a plane this close to a volume face of the same label is that face
_RECT_TOLERANCE_M = 0.01


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CapturedPlane(_Strict):
    id: Optional[str] = None
    label: Optional[str] = Field(None, description="the plane's WebXR semanticLabel")
    pose: Pose
    polygon: list[tuple[float, float, float]] = Field(min_length=3, description="plane-space points (y = 0)")

    @field_validator("polygon")
    @classmethod
    def _finite(cls, pts: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
        if not all(math.isfinite(c) for p in pts for c in p):
            raise ValueError("polygon points must be finite numbers")
        return pts


class CapturedMesh(_Strict):
    id: Optional[str] = None
    label: Optional[str] = Field(None, description="the mesh's WebXR semanticLabel")
    pose: Pose
    vertices: list[float] = Field(min_length=9, description="mesh-space x, y, z, x, y, z, ...")
    indices: list[Annotated[int, Field(ge=0)]] = []


class Capture(_Strict):
    """What the client sends: planes and meshes in one reference space."""

    space: Literal["local-floor", "local", "unbounded", "bounded-floor"] = "local-floor"
    planes: list[CapturedPlane] = Field(default=[], max_length=MAX_PLANES)
    meshes: list[CapturedMesh] = Field(default=[], max_length=MAX_MESHES)


@dataclass
class Captured:
    """A capture made into a room (ids are `<room>/<label>-<n>`), and what was found."""

    room: Room
    floor_y: float  # the floor plane's height in the capture's space (the twin's floor is 0)
    found: dict[str, int] = field(default_factory=dict)  # label -> surfaces made
    skipped: list[str] = field(default_factory=list)  # what was left out, and why


def room_from_capture(capture: Capture, room_id: str, name: str) -> Captured:
    """Make a room from a capture; InvalidInput when it cannot be one."""
    skipped: list[str] = []
    planes = [(p, label_from_webxr(p.label), f"planes[{n}]") for n, p in enumerate(capture.planes)]
    floors = [(p, where) for p, label, where in planes if label == "FLOOR"]
    if not floors:
        raise InvalidInput("the capture has no floor plane: set up the room on the headset (Quest: Settings → "
                           "Physical space → Space setup) so the browser can see its floor, then capture again")
    floor_plane, floor_where = max(floors, key=lambda f: polygon_area(_world_outline(f[0])))
    outline = _world_outline(floor_plane)
    floor_y = floor_plane.pose.position[1]
    if abs(Frame(floor_plane.pose.position, floor_plane.pose.rotation).to_world((0.0, 1.0, 0.0))[1] - floor_y) < 0.9:
        raise InvalidInput(f"{floor_where}: the floor plane is not level; capture again")
    floor = [(round(x, 6) + 0.0, round(z, 6) + 0.0) for x, z in outline]
    if polygon_area(floor) < 1.0:
        raise InvalidInput(f"{floor_where}: the floor outline encloses {polygon_area(floor):.2f} m², less than "
                           "any room; walk the whole floor in the headset's space setup and capture again")
    flats: list[Surface] = []
    for p, label, where in planes:
        if label is None:
            skipped.append(f"{where}: a {p.label} plane is not a surface")
        elif p is not floor_plane:
            flats.append(_plane_surface(p, label, where))
    flats = [turned_into(s, floor) if abs(s.frame.normal[1]) < 0.5 else s for s in flats]  # doors, windows too
    walls = [s for s in flats if is_wall(s.label)]
    ceilings = [s.pose.position[1] for s in flats if s.label == "CEILING"]
    if ceilings:
        height = max(ceilings) - floor_y
    elif walls:
        height = max(w.pose.position[1] + w.size[1] / 2 for w in walls) - floor_y
    else:
        raise InvalidInput("the capture has neither a ceiling nor walls, so the room's height is unknown; "
                           "finish the space setup on the headset (walls and ceiling) and capture again")
    if not 1.5 <= height <= 6.0:
        raise InvalidInput(f"the capture puts the ceiling {height:.2f} m above the floor; a room is 1.5-6 m "
                           "tall: capture again")
    if not walls:
        walls = [w.model_copy(update={"pose": w.pose.model_copy(update={
            "position": (w.pose.position[0], w.pose.position[1] + floor_y, w.pose.position[2])})})
            for w in walls_from_floor(floor, height)]
        skipped.append("no wall planes: walls made along the floor outline")
    volumes = []
    for n, m in enumerate(capture.meshes):
        label = label_from_webxr(m.label)
        if label is None:
            skipped.append(f"meshes[{n}]: the {m.label} is not a surface")
            continue
        volumes.append(box_surface(_mesh_box(m, label, f"meshes[{n}]"), walls, floor))
    others = [s for s in flats if not is_wall(s.label) and not _is_volume_face(s, volumes)]
    surfaces = [_lowered(s, floor_y) for s in walls + others + volumes]
    surfaces = _numbered(room_id, surfaces)
    try:
        room = Room(id=room_id, name=name, height=round(height, 6), floor=floor, surfaces=surfaces)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        raise InvalidInput(f"the capture does not make a room: {err['msg'].removeprefix('Value error, ')}") from None
    found = dict(sorted(Counter(s.label for s in room.surfaces).items()))
    return Captured(room, round(floor_y, 6), found, skipped)


# --- planes ----------------------------------------------------------------------------

def _polygon(p: CapturedPlane) -> list[tuple[float, float, float]]:
    """The polygon without a closing repeat of its first point (@iwer/sem closes them)."""
    pts = p.polygon
    return pts[:-1] if len(pts) > 3 and math.dist(pts[0], pts[-1]) < 1e-6 else pts


def _world_outline(p: CapturedPlane) -> list[tuple[float, float]]:
    f = Frame(p.pose.position, p.pose.rotation)
    return [(w[0], w[2]) for w in (f.to_world(q) for q in _polygon(p))]


def _plane_surface(p: CapturedPlane, label: SurfaceLabel, where: str) -> Surface:
    """A plane as a surface: +Z its normal (plane-space +Y), +Y up (or away, lying flat).

    Runtimes differ in which side a plane's +Y is on (@iwer/sem's real rooms point it out of
    the room): what lies flat faces up (a ceiling down), what stands is turned to face into
    the room later, with the walls.
    """
    f = Frame(p.pose.position, p.pose.rotation)
    z = sub(f.to_world((0.0, 1.0, 0.0)), f.position)
    if abs(z[1]) > 0.9:  # lying flat (a table, the ceiling): width along plane-space x
        z = (0.0, -1.0 if label == "CEILING" else 1.0, 0.0)
        x = normalize(sub(f.to_world((1.0, 0.0, 0.0)), f.position))
        y = cross(z, x)
    else:
        flat_up = sub(UP, scale(z, dot(UP, z)))
        y = normalize(flat_up)
        x = cross(y, z)
    pts = [f.to_world(q) for q in _polygon(p)]
    local = [(dot(sub(w, f.position), x), dot(sub(w, f.position), y)) for w in pts]
    xs, ys = [q[0] for q in local], [q[1] for q in local]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    if width < 0.01 or height < 0.01:
        raise InvalidInput(f"{where}: the {p.label or 'unlabelled'} plane's polygon has no area; capture again")
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    centre = tuple(f.position[n] + cx * x[n] + cy * y[n] for n in range(3))
    s = flat_surface(label, centre, x, y, z, (width, height))  # type: ignore[arg-type]
    outline = [(round(a - cx, 6), round(b - cy, 6)) for a, b in local]
    if not _is_rect(outline, width, height):
        if _signed_area(outline) < 0:
            outline.reverse()
        s = s.model_copy(update={"boundary": outline})
    return s


def _is_rect(pts: list[tuple[float, float]], width: float, height: float) -> bool:
    corners = [(sx * width / 2, sy * height / 2) for sx in (-1, 1) for sy in (-1, 1)]
    return len(pts) == 4 and all(any(math.dist(c, p) <= _RECT_TOLERANCE_M for p in pts) for c in corners)


def _signed_area(pts: list[tuple[float, float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(pts, pts[1:] + pts[:1])) / 2


# --- meshes ----------------------------------------------------------------------------

def _mesh_box(m: CapturedMesh, label: SurfaceLabel, where: str) -> Box:
    """The mesh's bounds in its own space: for Meta's volumes, exactly the box."""
    if len(m.vertices) % 3 or len(m.vertices) > 3 * MAX_VERTICES:
        raise InvalidInput(f"{where}: vertices must be x, y, z triples (at most {MAX_VERTICES}); found "
                           f"{len(m.vertices)} numbers")
    v = np.asarray(m.vertices, dtype=float).reshape(-1, 3)
    if not np.isfinite(v).all():
        raise InvalidInput(f"{where}: vertices must be finite numbers")
    if m.indices and (len(m.indices) % 3 or max(m.indices) >= len(v)):
        raise InvalidInput(f"{where}: indices must be triangles (triples) of vertex numbers below {len(v)}")
    lo, hi = v.min(axis=0), v.max(axis=0)
    if (hi - lo < 0.01).sum() > 1:
        raise InvalidInput(f"{where}: the {m.label or 'unlabelled'} mesh is flat in two directions; capture again")
    f = Frame(m.pose.position, m.pose.rotation)
    axes = tuple(normalize(sub(f.to_world(e), f.position)) for e in ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)))
    hi = np.maximum(hi, lo + 0.01)  # a flat-bottomed volume still has a thickness
    return Box(label, tuple(m.pose.position), axes, tuple(float(c) for c in lo), tuple(float(c) for c in hi))  # type: ignore[arg-type]


def _is_volume_face(s: Surface, volumes: list[Surface]) -> bool:
    """Meta reports a table both as a plane (its top) and a volume: keep the volume."""
    return any(v.label == s.label and length(sub(v.pose.position, s.pose.position)) < DUPLICATE_M and
               dot(v.frame.normal, s.frame.normal) > 0.9 for v in volumes)


# --- the room --------------------------------------------------------------------------

def _lowered(s: Surface, floor_y: float) -> Surface:
    x, y, z = s.pose.position
    return s.model_copy(update={"pose": s.pose.model_copy(update={"position": rounded((x, y - floor_y, z))})})


def _numbered(room_id: str, surfaces: list[Surface]) -> list[Surface]:
    """`<room>/<label>-<n>`, numbered in a stable order (walls, then by position)."""
    ordered = sorted(surfaces, key=lambda s: (s.label, round(s.pose.position[0], 2), round(s.pose.position[2], 2),
                                              round(s.pose.position[1], 2)))
    count: Counter[str] = Counter()
    out = []
    for s in ordered:
        count[s.label] += 1
        out.append(s.model_copy(update={"id": surface_id(room_id, s.label, str(count[s.label]))}))
    return out
