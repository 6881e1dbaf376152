"""Where a virtual panel goes: which surface, which spot on it, its pose and its size.

Rules (deterministic: no randomness; ties go to the lower surface id, then the lower x/y):

Room. `room_id` if given, else the room whose floor contains the viewer. Labels and sides
only look at that room. An explicit surface id is honoured in any room (ids are unique, and
"the bedroom wall" asked from the living room is a real request): the placement then
belongs to the surface's room, and when the viewer is not in that room the panel is sized
and aimed for a nominal viewer standing 2 m in front of the surface. With an explicit
surface, `side` only steers where on it the panel goes.

Surface. `placement.surface` is tried as a surface id, then as a label (case-insensitive,
plus the aliases WALL, SOFA, DESK), then as an id inside the room ("coffee-table").
Only surfaces that face the viewer count (normal · (viewer − centre) > 0). With a `side`,
a surface qualifies when the horizontal ray from the viewer in that direction crosses its
footprint, or its centre lies in that quarter (Viewer.side_of); a side without a label means
walls (WALL_FACE). A label without a side ranks its surfaces against the forward direction.
Ranking: degrees between the ray and the surface's nearest corner (0 when the ray hits it)
plus 10 per metre outside the comfortable 0.75-5 m, then distance, then id. An empty request
means a wall in front within 0.75-5 m, else floating. The first candidate with room wins.

Spot. Surfaces that don't face up (walls, screens, ceilings) take the panel flush, 1 cm out
of the surface, with the surface's rotation (+Z into the room); it is centred 0.15 m below
the eyes where the line of sight (toward `side`, else forward) meets the surface; when it
misses, at the corner nearest that side, or without a side at the point nearest the viewer.
Its bottom stays at least 0.5 m above the floor when the surface is tall enough.
Up-facing surfaces (TABLE, COUCH, BED, FLOOR...) get the panel standing upright on their
back edge (the edge farthest from the viewer), bottom on the top, facing the viewer's side,
at most 1 m tall. Other panels in that plane (within 0.15 m, same facing) keep a 5 cm gap;
devices within 0.15 m of it (the TV, a soundbar) keep a 10 cm margin, sized by their `size`
or 0.2 m square. A `boundary` outline must contain the panel's corners and edge midpoints.
Spots are scanned on a 10 cm grid plus spots snapped beside each obstacle, nearest the
preferred centre first.

Size. Presets are horizontal visual angles at the viewing distance (small 20°, medium 30°,
large 40°, cinema 60°), following XR comfort guidance (content 0.75-5 m away, within ~40° of
the view), at `aspect` (width/height), clamped to 0.3-8 m wide and to the surface. When no
spot is free the panel shrinks in 10 % steps down to half the preset (never below 0.3 m);
then the surface counts as full.

Floating. 1.5 m in front of the viewer (or toward `side`; nearer when a wall is closer,
0.1 m short of it, at least 0.5 m), 0.15 m below the eyes, facing them; beside other panels
already floating there.

Errors: NotFound for an unknown surface id (with close matches and the room's surfaces),
PlacementImpossible in the viewer's terms ("there is no wall to your left in the bedroom"),
InvalidInput for contradictory or viewer-less relative requests.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict

from twinspace.errors import InvalidInput, NotFound, PlacementImpossible
from twinspace.geometry import (
    Frame, Side, Vec3, Viewer, dot, extent_for_angle, horizontal, length, normalize,
    point_in_polygon, quat_facing, rects_overlap, scale, sub,
)
from twinspace.home.model import SURFACE_LABELS, Home, Pose, Room, Surface
from twinspace.home.scan import PLACEABLE

PRESETS: dict[str, float] = {"small": 20.0, "medium": 30.0, "large": 40.0, "cinema": 60.0}
DEFAULT_PRESET = "medium"
MIN_WIDTH, MAX_WIDTH = 0.3, 8.0
COMFORT_MIN, COMFORT_MAX = 0.75, 5.0
FLOAT_DISTANCE = 1.5
EYE_DROP = 0.15          # panels sit a little below the eyes: easier on the neck
MIN_BOTTOM = 0.5         # nobody wants to look at the skirting board
SURFACE_OFFSET = 0.01    # off the surface, so the panel doesn't z-fight with it
PANEL_GAP, DEVICE_MARGIN = 0.05, 0.1
PLANE_TOLERANCE = 0.15   # how close to a surface's plane a thing must be to occupy it
DEVICE_DEFAULT_SIZE = (0.2, 0.2)
MAX_STAND_HEIGHT = 1.0
STAND_INSET = 0.05       # standing panels keep off the very edge of the table
GRID = 0.1
NOMINAL_EYE, NOMINAL_DISTANCE = 1.6, 2.0
DISTANCE_PENALTY = 10.0  # ranking: degrees of "off-direction" worth one metre out of comfort
LABEL_ALIASES = {"WALL": "WALL_FACE", "SOFA": "COUCH", "DESK": "TABLE"}
SIDE_PHRASE = {"left": "to your left", "right": "to your right",
               "front": "in front of you", "behind": "behind you"}


class PlacementRequest(BaseModel):
    """The spec's Placement argument object (spec/actions.md)."""

    model_config = ConfigDict(extra="forbid")

    surface: Optional[str] = None  # surface id, or a label such as WALL_FACE (any case)
    side: Optional[Literal["left", "right", "front", "behind"]] = None
    size: Optional[Literal["small", "medium", "large", "cinema"]] = None
    floating: bool = False


@dataclass(frozen=True)
class Placement:
    surface: Optional[str]  # None when floating
    room: str
    pose: Pose
    size: tuple[float, float]
    size_preset: str


@dataclass(frozen=True)
class Candidate:
    """A surface considered for a request, with why it ranks where it does."""

    surface: Surface
    score: float          # lower is better
    deviation_deg: float  # 0 when the requested direction's ray crosses the surface
    distance_m: float     # horizontal, viewer to where the ray meets it (or its nearest point)


@dataclass(frozen=True)
class Region:
    """The rectangle a panel may occupy, in a frame whose +Z is the panel's normal."""

    frame: Frame
    x0: float
    x1: float
    y0: float
    y1: float
    standing: bool = False
    surface: Optional[Surface] = None


# --- public API ----------------------------------------------------------------------

def place(home: Home, request: PlacementRequest, viewer: Optional[Viewer], room_id: Optional[str],
          *, ignore_panel: Optional[str] = None, aspect: float = 16 / 9) -> Placement:
    """Choose a surface, spot, pose and size for a panel; see the module docstring."""
    if not aspect > 0:
        raise InvalidInput("the panel aspect ratio must be positive")
    if request.floating and request.surface is not None:
        raise InvalidInput("a panel either floats or goes on a surface; ask for one of them")
    preset, side = request.size or DEFAULT_PRESET, request.side
    found, label = _resolve(home, request, viewer, room_id)
    if found is not None:
        room, s = found
        v = viewer if viewer is not None and _inside(viewer, room) else _nominal_viewer(s)
        result = _place_on(home, room, s, v, side, preset, aspect, ignore_panel)
        if result is None:
            raise PlacementImpossible(f"{_surface_phrase(s)} has no free space for a {preset} panel")
        return result
    room = _room(home, viewer, room_id)
    default = label is None and side is None
    want = label or "WALL_FACE"
    if viewer is None:
        if label is None:
            raise InvalidInput("placing a panel relative to the viewer needs the viewer's position "
                               "and facing; name a surface instead")
        pool = [(s, _nominal_viewer(s)) for s in sorted(room.surfaces, key=lambda s: s.id) if s.label == want]
    elif request.floating:
        return _float(home, room, viewer, side, preset, aspect, ignore_panel)
    else:
        pool = [(c.surface, viewer) for c in _ranked(room, label, side, viewer)]
    for s, v in pool:
        result = _place_on(home, room, s, v, "front" if default else side, preset, aspect, ignore_panel)
        if result is not None:
            return result
    if default and viewer is not None:
        return _float(home, room, viewer, None, preset, aspect, ignore_panel)
    raise PlacementImpossible(_impossible(room, want, side, preset, [s for s, _ in pool]))


def candidates(home: Home, request: PlacementRequest, viewer: Viewer,
               room_id: Optional[str] = None) -> list[Candidate]:
    """The surfaces `place` would try for this request, best first (for explanations).

    Empty for floating requests; an explicit surface is the only candidate of its request.
    """
    if request.floating:
        return []
    found, label = _resolve(home, request, viewer, room_id)
    if found is not None:
        s = found[1]
        aim, dev = _aim(viewer, s, viewer.direction(request.side or "front"), request.side is not None)
        return [Candidate(s, dev, dev, length(horizontal(sub(aim, viewer.position))))]
    return _ranked(_room(home, viewer, room_id), label, request.side, viewer)


# --- choosing a surface --------------------------------------------------------------

def _resolve(home: Home, request: PlacementRequest, viewer: Optional[Viewer],
             room_id: Optional[str]) -> tuple[Optional[tuple[Room, Surface]], Optional[str]]:
    """`request.surface` as (room, surface) for an id, or as a label; NotFound otherwise."""
    if request.surface is None:
        return None, None
    found = home.surface(request.surface)
    if found is not None:
        return _placeable(found), None
    label = _label(request.surface)
    if label is not None:
        if label not in PLACEABLE:
            raise PlacementImpossible(f"{label} marks an open side of a room, not a wall; panels cannot go there")
        return None, label
    room = _room(home, viewer, room_id)
    found = _by_short_name(room, request.surface)
    if found is None:
        raise NotFound(_unknown_surface(room, request.surface))
    return _placeable(found), None


def _placeable(found: tuple[Room, Surface]) -> tuple[Room, Surface]:
    if found[1].label not in PLACEABLE:
        raise PlacementImpossible(f"{found[1].id} is an open side of {found[0].name}, not a wall; "
                                  "panels cannot go there")
    return found


def _room(home: Home, viewer: Optional[Viewer], room_id: Optional[str]) -> Room:
    if room_id is not None:
        room = home.room(room_id)
        if room is None:
            raise NotFound(f"there is no room {room_id!r}; rooms: {', '.join(r.id for r in home.rooms)}")
        return room
    if viewer is None:
        raise InvalidInput("say which room the panel goes in: there is no viewer position to go by")
    room = home.room_at(viewer.position[0], viewer.position[2])
    if room is None:
        raise PlacementImpossible("you don't seem to be inside any room of the home, so I can't tell "
                                  "where to put the panel; say which room or surface")
    return room


def _inside(viewer: Viewer, room: Room) -> bool:
    return point_in_polygon(viewer.position[0], viewer.position[2], room.floor)


def _label(text: str) -> Optional[str]:
    key = text.strip().upper().replace(" ", "_")
    key = LABEL_ALIASES.get(key, key)
    return key if key in SURFACE_LABELS else None


def _by_short_name(room: Room, text: str) -> Optional[tuple[Room, Surface]]:
    """'coffee table' or 'Coffee-Table' for living/coffee-table: ids as people say them."""
    key = text.strip().lower().replace(" ", "-")
    for s in sorted(room.surfaces, key=lambda s: s.id):
        if key in (s.id.lower(), s.id.lower().rsplit("/", 1)[-1]):
            return room, s
    return None


def _ranked(room: Room, label: Optional[str], side: Optional[Side], viewer: Viewer) -> list[Candidate]:
    """Candidates for a label and/or side; with neither, walls ahead at a comfortable distance."""
    if label is None and side is None:
        return [c for c in _rank(room, "WALL_FACE", viewer, "front")
                if COMFORT_MIN <= c.distance_m <= COMFORT_MAX]
    return _rank(room, label or "WALL_FACE", viewer, side)


def _rank(room: Room, label: str, viewer: Viewer, side: Optional[Side]) -> list[Candidate]:
    d = viewer.direction(side or "front")
    out = []
    for s in room.surfaces:
        centre = s.frame.position
        if s.label != label or dot(s.frame.normal, sub(viewer.position, centre)) <= 0:
            continue  # a surface seen from behind is on the other side of a wall
        if side is not None and _ray_hit(viewer, s, d) is None and viewer.side_of(centre) != side:
            continue
        aim, dev = _aim(viewer, s, d, directional=side is not None)
        dist = length(horizontal(sub(aim, viewer.position)))
        penalty = DISTANCE_PENALTY * max(0.0, COMFORT_MIN - dist, dist - COMFORT_MAX)
        out.append(Candidate(s, dev + penalty, dev, dist))
    return sorted(out, key=lambda c: (round(c.score, 6), round(c.distance_m, 6), c.surface.id))


def _corners(s: Surface) -> list[Vec3]:
    w, h = s.size[0] / 2, s.size[1] / 2
    return [s.frame.to_world((x, y, 0.0)) for x, y in ((-w, -h), (w, -h), (w, h), (-w, h))]


def _angle_deg(a: Vec3, b: Vec3) -> float:
    a, b = horizontal(a), horizontal(b)
    if length(a) < 1e-9 or length(b) < 1e-9:
        return 0.0
    return math.degrees(math.acos(max(-1.0, min(1.0, dot(normalize(a), normalize(b))))))


def _ray_hit(viewer: Viewer, s: Surface, d: Vec3) -> Optional[Vec3]:
    """Where the horizontal ray from the viewer along d first crosses the surface's footprint."""
    vx, vz = viewer.position[0], viewer.position[2]
    pts = [(p[0], p[2]) for p in _corners(s)]
    y = s.frame.position[1]
    if point_in_polygon(vx, vz, pts):
        return (vx, y, vz)
    best: Optional[float] = None
    for (ax, az), (bx, bz) in zip(pts, pts[1:] + pts[:1]):
        ex, ez = bx - ax, bz - az
        den = d[0] * ez - d[2] * ex
        if abs(den) < 1e-12:
            continue  # parallel, or a wall's vertical edge collapsed to a point
        wx, wz = ax - vx, az - vz
        t, u = (wx * ez - wz * ex) / den, (wx * d[2] - wz * d[0]) / den
        if t >= 0 and -1e-9 <= u <= 1 + 1e-9 and (best is None or t < best):
            best = t
    return None if best is None else (vx + best * d[0], y, vz + best * d[2])


def _aim(viewer: Viewer, s: Surface, d: Vec3, directional: bool) -> tuple[Vec3, float]:
    """The surface point to centre on, and its angle off d: where the ray meets the surface;
    failing that, for a direction the corner closest to it, else the point nearest the viewer."""
    hit = _ray_hit(viewer, s, d)
    if hit is not None:
        return hit, 0.0
    devs = sorted((round(_angle_deg(d, sub(p, viewer.position)), 6), length(sub(p, viewer.position)), p)
                  for p in _corners(s))
    return (devs[0][2] if directional else _nearest_point(viewer, s)), devs[0][0]


def _nearest_point(viewer: Viewer, s: Surface) -> Vec3:
    x, y, _ = s.frame.to_local(viewer.position)
    w, h = s.size[0] / 2, s.size[1] / 2
    return s.frame.to_world((min(max(x, -w), w), min(max(y, -h), h), 0.0))


def _nominal_viewer(s: Surface) -> Viewer:
    """Someone standing 2 m in front of the surface, looking at it."""
    n = s.frame.normal
    f = horizontal(scale(n, -1)) if abs(n[1]) < 0.7 else horizontal(s.frame.y_axis)
    f = normalize(f) if length(f) > 1e-6 else (0.0, 0.0, -1.0)
    c = s.frame.position
    pos = (c[0] - f[0] * NOMINAL_DISTANCE, NOMINAL_EYE, c[2] - f[2] * NOMINAL_DISTANCE)
    return Viewer(pos, math.degrees(math.atan2(-f[0], -f[2])))


# --- choosing a spot -----------------------------------------------------------------

def surface_region(s: Surface, viewer: Viewer, aim: Vec3) -> tuple[Region, tuple[float, float]]:
    """The panel plane on a surface and the preferred centre in it."""
    sf = s.frame
    if sf.normal[1] >= 0.7:  # faces up: stand the panel on the edge farthest from the viewer
        toward = horizontal(sub(sf.position, viewer.position))
        toward = normalize(toward) if length(toward) > 1e-6 else viewer.forward
        half_w, half_h = s.size[0] / 2, s.size[1] / 2
        edges = [((0.0, 1.0), half_h, s.size[0]), ((0.0, -1.0), half_h, s.size[0]),
                 ((1.0, 0.0), half_w, s.size[1]), ((-1.0, 0.0), half_w, s.size[1])]

        def outward(e: tuple[float, float]) -> Vec3:
            v = horizontal(sub(sf.to_world((e[0], e[1], 0.0)), sf.position))
            return normalize(v) if length(v) > 1e-9 else (0.0, 0.0, 0.0)

        (ox, oy), half, edge_len = max(edges, key=lambda e: dot(outward(e[0]), toward))  # first wins ties
        inset = max(half - STAND_INSET, 0.0)
        origin = sf.to_world((ox * inset, oy * inset, 0.0))
        frame = Frame(origin, quat_facing(scale(outward((ox, oy)), -1)))
        region = Region(frame, -edge_len / 2, edge_len / 2, SURFACE_OFFSET,
                         SURFACE_OFFSET + MAX_STAND_HEIGHT, True, s)
        return region, (frame.to_local(aim)[0], 0.0)
    frame = Frame(sf.to_world((0.0, 0.0, SURFACE_OFFSET)), sf.rotation)
    x0, x1, y0, y1 = -s.size[0] / 2, s.size[0] / 2, -s.size[1] / 2, s.size[1] / 2
    if s.boundary:
        x0, x1 = max(x0, min(p[0] for p in s.boundary)), min(x1, max(p[0] for p in s.boundary))
        y0, y1 = max(y0, min(p[1] for p in s.boundary)), min(y1, max(p[1] for p in s.boundary))
    up = sf.y_axis[1]
    if up > 0.5:  # upright: keep the panel off the floor when the surface is tall enough
        lowest = (MIN_BOTTOM - frame.position[1]) / up
        if y1 - lowest >= MIN_WIDTH:
            y0 = max(y0, lowest)
    target = (aim[0], viewer.position[1] - EYE_DROP, aim[2])
    lx, ly, _ = frame.to_local(target)
    return Region(frame, x0, x1, y0, y1, False, s), (lx, ly)


Obstacle = tuple[float, float, float, float, float]  # centre x, y, width, height, gap


def obstacles_on(home: Home, room: Room, region: Region, ignore_panel: Optional[str]) -> list[Obstacle]:
    f = region.frame
    out: list[Obstacle] = []
    for p in sorted(home.panels, key=lambda p: p.id):
        pf = p.pose.frame
        if p.id == ignore_panel or dot(pf.normal, f.normal) < 0.9:
            continue  # panels facing another way are on another surface
        x, y, z = f.to_local(pf.position)
        if abs(z) <= PLANE_TOLERANCE:
            out.append((x, y, p.size[0], p.size[1], PANEL_GAP))
    for d in sorted(room.devices, key=lambda d: d.id):
        if d.pose is None:
            continue
        x, y, z = f.to_local(d.pose.position)
        w, h = d.size or DEVICE_DEFAULT_SIZE
        if (abs(z) <= PLANE_TOLERANCE and region.x0 - w / 2 <= x <= region.x1 + w / 2
                and region.y0 - h / 2 <= y <= region.y1 + h / 2):
            out.append((x, y, w, h, DEVICE_MARGIN))
    return out


def within_boundary(region: Region, x: float, y: float, w: float, h: float) -> bool:
    s = region.surface
    if s is None or not s.boundary:
        return True
    if region.standing:  # only the foot of a standing panel touches the surface
        pts = [(x + k * w / 2, region.y0) for k in (-1, 0, 1)]
    else:
        pts = [(x + i * w / 2, y + j * h / 2) for i in (-1, 0, 1) for j in (-1, 0, 1) if i or j]
    for px, py in pts:
        lx, ly, _ = s.frame.to_local(region.frame.to_world((px, py, 0.0)))
        if not point_in_polygon(lx, ly, s.boundary):
            return False
    return True


def _axis_values(lo: float, hi: float, pref: float, snaps: list[float]) -> list[float]:
    n = int((hi - lo) / GRID + 1e-9)
    vals = {round(lo + i * GRID, 6) for i in range(n + 1)} | {round(hi, 6), round(pref, 6)}
    vals |= {round(v, 6) for v in snaps if lo - 1e-9 <= v <= hi + 1e-9}
    return sorted(min(max(v, lo), hi) for v in vals)


def _spot(region: Region, obstacles: list[Obstacle], w: float, h: float,
          pref: tuple[float, float]) -> Optional[tuple[float, float]]:
    lo_x, hi_x = region.x0 + w / 2, region.x1 - w / 2
    lo_y, hi_y = region.y0 + h / 2, region.y1 - h / 2
    if lo_x > hi_x + 1e-9 or lo_y > hi_y + 1e-9:
        return None
    if region.standing:
        hi_y = lo_y  # bottom on the table top
    px, py = min(max(pref[0], lo_x), hi_x), min(max(pref[1], lo_y), hi_y)
    # Spots just clear of each obstacle let panels pack tightly instead of on grid steps.
    sx = [ox + k * ((ow + w) / 2 + gap + 1e-6) for ox, _, ow, _, gap in obstacles for k in (-1, 1)]
    sy = [oy + k * ((oh + h) / 2 + gap + 1e-6) for _, oy, _, oh, gap in obstacles for k in (-1, 1)]
    xs = _axis_values(lo_x, hi_x, px, sx)
    ys = [lo_y] if region.standing else _axis_values(lo_y, hi_y, py, sy)
    spots = sorted(((x, y) for x in xs for y in ys),
                   key=lambda p: (round(math.hypot(p[0] - px, p[1] - py), 6), round(abs(p[1] - py), 6), p))
    for x, y in spots:
        if any(rects_overlap((x, y), (w, h), (ox, oy), (ow, oh), gap) for ox, oy, ow, oh, gap in obstacles):
            continue
        if within_boundary(region, x, y, w, h):
            return x, y
    return None


def _sizes(preset: str, distance: float, region: Region, aspect: float) -> list[tuple[float, float]]:
    """Widths to try, largest first: the preset clamped to limits, shrinking to a floor."""
    want = extent_for_angle(PRESETS[preset], max(distance, 0.1))
    w = min(max(want, MIN_WIDTH), MAX_WIDTH, region.x1 - region.x0, (region.y1 - region.y0) * aspect)
    floor = max(MIN_WIDTH, min(w, want / 2))
    out = []
    while w >= floor - 1e-9:
        out.append((w, w / aspect))
        w *= 0.9
    if out and out[-1][0] > floor + 1e-9:
        out.append((floor, floor / aspect))
    return out


def _fit(home: Home, room: Room, region: Region, pref: tuple[float, float], viewer: Viewer,
         preset: str, aspect: float, ignore_panel: Optional[str]) -> Optional[tuple[tuple[float, float], tuple[float, float]]]:
    obstacles = obstacles_on(home, room, region, ignore_panel)
    anchor = region.frame.to_world((pref[0], 0.3 if region.standing else pref[1], 0.0))
    for w, h in _sizes(preset, length(sub(anchor, viewer.position)), region, aspect):
        spot = _spot(region, obstacles, w, h, pref)
        if spot is not None:
            return spot, (w, h)
    return None


def _place_on(home: Home, room: Room, s: Surface, viewer: Viewer, side: Optional[Side], preset: str,
              aspect: float, ignore_panel: Optional[str]) -> Optional[Placement]:
    aim, _ = _aim(viewer, s, viewer.direction(side or "front"), directional=side is not None)
    region, pref = surface_region(s, viewer, aim)
    fit = _fit(home, room, region, pref, viewer, preset, aspect, ignore_panel)
    return None if fit is None else placement_on(s.id, room, region, fit, preset)


def _float(home: Home, room: Room, viewer: Viewer, side: Optional[Side], preset: str,
           aspect: float, ignore_panel: Optional[str]) -> Placement:
    d = viewer.direction(side or "front")
    eye = viewer.position
    # Stay on this side of a wall that is closer than the usual floating distance.
    walls = [h for s in room.surfaces if abs(s.frame.normal[1]) < 0.7
             and dot(s.frame.normal, sub(eye, s.frame.position)) > 0
             and (h := _ray_hit(viewer, s, d)) is not None]
    reach = min([length(horizontal(sub(h, eye))) - 0.1 for h in walls], default=FLOAT_DISTANCE)
    dist = max(0.5, min(FLOAT_DISTANCE, reach))
    centre = (eye[0] + d[0] * dist, eye[1] - EYE_DROP, eye[2] + d[2] * dist)
    region = Region(Frame(centre, quat_facing(scale(d, -1))), -3.0, 3.0, -1.0, 1.0)
    fit = _fit(home, room, region, (0.0, 0.0), viewer, preset, aspect, ignore_panel)
    if fit is None:
        raise PlacementImpossible(f"there is no free space to float a {preset} panel {SIDE_PHRASE[side or 'front']}")
    return placement_on(None, room, region, fit, preset)


def placement_on(surface: Optional[str], room: Room, region: Region,
               fit: tuple[tuple[float, float], tuple[float, float]], preset: str) -> Placement:
    (x, y), size = fit
    rotation = tuple(c + 0.0 for c in region.frame.rotation)  # + 0.0 turns -0.0 into 0.0
    pose = Pose(position=region.frame.to_world((x, y, 0.0)), rotation=rotation)
    return Placement(surface, room.id, pose, size, preset)


# --- messages ------------------------------------------------------------------------

def _room_phrase(room: Room) -> str:
    return room.name if "'" in room.name else f"the {room.name.lower()}"


def _surface_phrase(s: Surface) -> str:
    name = s.id.rsplit("/", 1)[-1].replace("_", "-")
    if name.startswith("wall-"):
        return f"the {name[5:].replace('-', ' ')} wall"
    return f"the {name.replace('-', ' ')}"


def _impossible(room: Room, label: str, side: Optional[Side], preset: str, tried: list[Surface]) -> str:
    where = f"in {_room_phrase(room)}"
    noun = "wall" if label == "WALL_FACE" else f"surface labelled {label}"
    around = f" {SIDE_PHRASE[side]}" if side else ""
    if not tried:
        if side is None and any(s.label == label for s in room.surfaces):
            return f"no {noun} {where} faces you from where you are"
        return f"there is no {noun}{around} {where}"
    if len(tried) == 1:
        what = f"the {noun}{around}" if side and label == "WALL_FACE" else _surface_phrase(tried[0])
        return f"{what} has no free space for a {preset} panel"
    return f"no {noun}{around} {where} has free space for a {preset} panel"


def _unknown_surface(room: Room, text: str) -> str:
    ids = [s.id for s in sorted(room.surfaces, key=lambda s: s.id)]
    close = difflib.get_close_matches(text, ids, n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    listing = ", ".join(f"{s.id} ({s.label})" for s in sorted(room.surfaces, key=lambda s: s.id))
    return (f"there is no surface {text!r}; {hint}surfaces in {_room_phrase(room)}: "
            f"{listing or 'none'}; or use a label such as WALL_FACE or TABLE")
