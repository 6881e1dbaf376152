"""What every room scan has in common, whoever made it (a Meta MRUK export, a WebXR capture).

Importers turn their own format into these pieces, already in twinspace world coordinates
(right-handed, metres, +Y up), and let this module decide what they mean:

- labels: Meta's scene labels and WebXR `semanticLabel` words become one `SurfaceLabel`; an
  open side of a room (`INVISIBLE_WALL_FACE`) stays itself even when also called a wall, and
  is a boundary, not a place for panels (`PLACEABLE`).
- volumes: an oriented `Box` (world axes + local bounds) becomes one surface: its top face
  for furniture (a table top, a couch seat), its vertical front face for a `SCREEN` (so "on
  the TV" is the picture, not the top edge), the front being the side away from the wall.
- walls face into the room: a wall whose normal points out of the floor outline is turned
  round; a scan with no wall planes gets walls along its floor outline's edges.
- ids: readable, stable prefixes of the source's ids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

from twinspace.geometry import (
    UP, Vec3, add, cross, dot, normalize, point_in_polygon, polygon_centroid, quat_from_basis, scale, sub,
)
from twinspace.home.model import SURFACE_LABELS, Pose, Surface, SurfaceLabel

Point2 = tuple[float, float]

# Surfaces a panel may be put on. An invisible wall face is where a room opens into another
# (MRUK's "open side"): nothing hangs there, but it still bounds the room.
PLACEABLE: frozenset[str] = frozenset(SURFACE_LABELS) - {"INVISIBLE_WALL_FACE"}

# WebXR semantic labels (the immersive-web registry plus Meta's additions) to scene labels.
# None: not a surface of the room (the global mesh is the whole scan as one triangle soup).
WEBXR_LABELS: dict[str, Optional[SurfaceLabel]] = {
    "floor": "FLOOR", "ceiling": "CEILING", "wall": "WALL_FACE", "invisible wall face": "INVISIBLE_WALL_FACE",
    "table": "TABLE", "desk": "TABLE", "couch": "COUCH", "chair": "COUCH", "bed": "BED", "shelf": "STORAGE",
    "storage": "STORAGE", "screen": "SCREEN", "lamp": "LAMP", "plant": "PLANT", "wall art": "WALL_ART",
    "door": "DOOR_FRAME", "door frame": "DOOR_FRAME", "window": "WINDOW_FRAME", "window frame": "WINDOW_FRAME",
    "other": "OTHER", "global mesh": None,
}



def label_from_scene(labels: Sequence[str]) -> SurfaceLabel:
    """One label from Meta's list (v203 writes ["WALL_FACE", "INVISIBLE_WALL_FACE"] for an open side)."""
    if "INVISIBLE_WALL_FACE" in labels:
        return "INVISIBLE_WALL_FACE"
    return next((s for s in labels if s in SURFACE_LABELS), "OTHER")  # type: ignore[return-value]


def label_from_webxr(word: Optional[str]) -> Optional[SurfaceLabel]:
    """A WebXR semanticLabel as a scene label; unknown words are OTHER, the global mesh None."""
    key = (word or "other").strip().lower().replace("_", " ")
    return WEBXR_LABELS.get(key, "OTHER")


# --- volumes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    """An oriented box: `origin` and `axes` (three world unit vectors) place local bounds lo..hi."""

    label: SurfaceLabel
    origin: Vec3
    axes: tuple[Vec3, Vec3, Vec3]
    lo: Vec3
    hi: Vec3

    def world(self, local: Sequence[float]) -> Vec3:
        p = self.origin
        for n in range(3):
            p = add(p, scale(self.axes[n], local[n]))
        return p

    @property
    def extents(self) -> Vec3:
        return (self.hi[0] - self.lo[0], self.hi[1] - self.lo[1], self.hi[2] - self.lo[2])

    def up_axis(self) -> tuple[int, float]:
        """The local axis closest to world up, and its sign."""
        k = max(range(3), key=lambda n: abs(self.axes[n][1]))
        return k, (1.0 if self.axes[k][1] > 0 else -1.0)


def box_surface(box: Box, walls: Sequence[Surface] = (), floor: Optional[list[Point2]] = None) -> Surface:
    """The face of a volume that things go on: its top, or a screen's front (see the module doc).

    `boundary` and `id` are left for the importer; `depth` is the extent behind the face.
    """
    if box.label == "SCREEN":
        return _front_face(box, walls, floor)
    k, s = box.up_axis()
    i, j = (k + 1) % 3, (k + 2) % 3
    ext = box.extents
    centre = [(box.lo[n] + box.hi[n]) / 2 for n in range(3)]
    centre[k] = box.hi[k] if s > 0 else box.lo[k]
    y, z = scale(box.axes[j], s), scale(box.axes[k], s)
    return _surface(box.label, box.world(centre), cross(y, z), y, z, (ext[i], ext[j]), ext[k])


def _front_face(box: Box, walls: Sequence[Surface], floor: Optional[list[Point2]]) -> Surface:
    k, s = box.up_axis()
    ext = box.extents
    t, w = sorted((n for n in range(3) if n != k), key=lambda n: ext[n])  # thin axis, width axis
    centre = [(box.lo[n] + box.hi[n]) / 2 for n in range(3)]
    middle = box.world(centre)
    front = _toward_room(box.axes[t], middle, walls, floor)
    centre[t] = box.hi[t] if front > 0 else box.lo[t]
    y = scale(box.axes[k], s)
    z = scale(box.axes[t], front)
    return _surface(box.label, box.world(centre), cross(y, z), y, z, (ext[w], ext[k]), ext[t])


def _toward_room(axis: Vec3, at: Vec3, walls: Sequence[Surface], floor: Optional[list[Point2]]) -> float:
    """+1 if `axis` points away from the wall nearest `at` (into the room), else -1."""
    flat = normalize((axis[0], 0.0, axis[2]))
    nearest = min(walls, key=lambda wall: abs(dot(sub(at, wall.pose.position), wall.frame.normal)), default=None)
    if nearest is not None and abs(dot(sub(at, nearest.pose.position), nearest.frame.normal)) < 1.0:
        return 1.0 if dot(flat, nearest.frame.normal) >= 0 else -1.0
    if floor:
        cx, cz = polygon_centroid(floor)
        return 1.0 if dot(flat, (cx - at[0], 0.0, cz - at[2])) >= 0 else -1.0
    return 1.0


def _surface(label: SurfaceLabel, position: Vec3, x: Vec3, y: Vec3, z: Vec3, size: tuple[float, float],
             depth: Optional[float]) -> Surface:
    rotation = quat_from_basis(normalize(x), normalize(y), normalize(z))
    return Surface(id="pending", label=label,
                   pose=Pose(position=rounded(position), rotation=tuple(round(c, 9) for c in rotation)),  # type: ignore[arg-type]
                   size=(round(size[0], 6), round(size[1], 6)), depth=None if depth is None else round(depth, 6))


def flat_surface(label: SurfaceLabel, position: Vec3, x: Vec3, y: Vec3, z: Vec3,
                 size: tuple[float, float]) -> Surface:
    """A plane (wall, floor, table top) with its frame: +X width, +Y height, +Z the way it faces."""
    return _surface(label, position, x, y, z, size, None)


# --- walls -----------------------------------------------------------------------------

def is_wall(label: str) -> bool:
    return label in ("WALL_FACE", "INVISIBLE_WALL_FACE")


def faces_into(surface: Surface, floor: list[Point2], step: float = 0.1) -> bool:
    """Whether a wall's normal points into the floor outline (a point just in front is inside)."""
    p, n = surface.pose.position, surface.frame.normal
    return point_in_polygon(p[0] + step * n[0], p[2] + step * n[2], floor) or \
        not point_in_polygon(p[0] - step * n[0], p[2] - step * n[2], floor)


def turned_into(surface: Surface, floor: list[Point2]) -> Surface:
    """A wall turned 180 degrees about its own up axis when it faces out of the room."""
    if faces_into(surface, floor):
        return surface
    f = surface.frame
    x, y, z = scale(f.x_axis, -1.0), f.y_axis, scale(f.normal, -1.0)
    return surface.model_copy(update={"pose": Pose(position=surface.pose.position,
                                                   rotation=tuple(round(c, 9) for c in quat_from_basis(x, y, z))),  # type: ignore[arg-type]
                                      "boundary": None if surface.boundary is None else
                                      [(-bx, by) for bx, by in reversed(surface.boundary)]})


def walls_from_floor(floor: list[Point2], height: float) -> list[Surface]:
    """One WALL_FACE per edge of the floor outline, facing into the room, floor to ceiling."""
    out = []
    for n, (a, b) in enumerate(zip(floor, floor[1:] + floor[:1])):
        width = math.dist(a, b)
        if width < 0.05:
            continue
        along = normalize((b[0] - a[0], 0.0, b[1] - a[1]))
        normal = cross(UP, along)  # left of the edge; turned below if that is outside
        wall = flat_surface("WALL_FACE", ((a[0] + b[0]) / 2, height / 2, (a[1] + b[1]) / 2),
                            cross(UP, normal), UP, normal, (width, height))
        out.append(turned_into(wall, floor).model_copy(update={"id": f"pending-{n}"}))
    return out


def wall_ends(wall: Surface) -> tuple[Point2, Point2]:
    """A wall's bottom corners on the floor plan (x, z), left to right as seen from the room."""
    p, x, half = wall.pose.position, wall.frame.x_axis, wall.size[0] / 2
    return (p[0] - half * x[0], p[2] - half * x[2]), (p[0] + half * x[0], p[2] + half * x[2])


def edge_distance(p: Point2, outline: list[Point2]) -> float:
    """Distance from a point to the nearest edge of an outline."""
    best = math.inf
    for (ax, az), (bx, bz) in zip(outline, outline[1:] + outline[:1]):
        span = (bx - ax) ** 2 + (bz - az) ** 2
        t = 0.0 if span == 0 else max(0.0, min(1.0, ((p[0] - ax) * (bx - ax) + (p[1] - az) * (bz - az)) / span))
        best = min(best, math.dist(p, (ax + t * (bx - ax), az + t * (bz - az))))
    return best


def wall_loop(walls: Sequence[Surface], tolerance: float = 0.1) -> Optional[list[Point2]]:
    """The floor outline the walls enclose, when they close into one loop (corners within
    `tolerance`); None when they don't."""
    if len(walls) < 3:
        return None
    ends = [wall_ends(w) for w in walls]
    corners, used, at = [ends[0][0]], {0}, ends[0][1]
    while len(used) < len(ends):
        nxt = next(((n, e) for n, e in enumerate(ends) if n not in used and
                    min(math.dist(at, e[0]), math.dist(at, e[1])) <= tolerance), None)
        if nxt is None:
            return None
        n, (a, b) = nxt
        used.add(n)
        corners.append(at)
        at = b if math.dist(at, a) <= math.dist(at, b) else a
    return corners if math.dist(at, corners[0]) <= tolerance else None


# --- ids -------------------------------------------------------------------------------

def short_ids(keys: list[str], by: Optional[list[str]] = None) -> list[str]:
    """Readable prefixes of source ids: 4 characters, longer (by 4) only for ids that would clash
    within the same group (`by`, e.g. the label)."""
    keys = [k.replace("-", "").lower() for k in keys]
    groups = by or [""] * len(keys)
    out = []
    for i, key in enumerate(keys):
        rivals = [k for j, k in enumerate(keys) if j != i and groups[j] == groups[i]]
        n = 4
        while n < len(key) and any(r[:n] == key[:n] for r in rivals):
            n += 4
        out.append(key[:n])
    return out


def surface_id(room_id: str, label: str, prefix: str) -> str:
    return f"{room_id}/{label.lower().replace('_', '-')}-{prefix}"


def rounded(p: Sequence[float]) -> tuple[float, ...]:
    return tuple(round(c, 6) + 0.0 for c in p)  # + 0.0 drops "-0.0"
