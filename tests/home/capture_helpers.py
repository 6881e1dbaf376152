"""Build WebXR room captures the way the browser reports them (plane space: +Y is the normal,
the polygon in x/z; mesh space: vertices of the volume's box), for a known room."""

from __future__ import annotations

import math
from typing import Any, Optional

from twinspace.geometry import UP, Vec3, cross, normalize, quat_from_basis, quat_from_yaw, quat_rotate


def plane(label: str, centre: Vec3, normal: Vec3, width: float, height: float,
          along: Optional[Vec3] = None) -> dict[str, Any]:
    """A rectangular plane of `width` along `along` (default: horizontal) and `height` across."""
    n = normalize(normal)
    x = normalize(along or (cross(UP, n) if abs(n[1]) < 0.9 else (1.0, 0.0, 0.0)))
    z = cross(x, n)
    q = quat_from_basis(x, n, z)
    w, h = width / 2, height / 2
    return {"label": label, "pose": {"position": list(centre), "rotation": list(q)},
            "polygon": [[-w, 0, -h], [w, 0, -h], [w, 0, h], [-w, 0, h]]}


def box(label: str, centre: Vec3, size: Vec3, yaw_deg: float = 0.0) -> dict[str, Any]:
    """A volume as Meta's runtime gives it: a box mesh around its own space's origin."""
    sx, sy, sz = (c / 2 for c in size)
    corners = [[x, y, z] for x in (-sx, sx) for y in (-sy, sy) for z in (-sz, sz)]
    faces = [0, 1, 3, 0, 3, 2, 4, 6, 7, 4, 7, 5, 0, 4, 5, 0, 5, 1, 2, 3, 7, 2, 7, 6, 0, 2, 6, 0, 6, 4, 1, 5, 7, 1, 7, 3]
    return {"label": label, "pose": {"position": list(centre), "rotation": list(quat_from_yaw(math.radians(yaw_deg)))},
            "vertices": [c for v in corners for c in v], "indices": faces}


def moved(capture: dict[str, Any], yaw_deg: float, offset: Vec3) -> dict[str, Any]:
    """The same capture seen from a space turned by `yaw_deg` and shifted by `offset`."""
    q = quat_from_yaw(math.radians(yaw_deg))

    def pose(p: dict[str, Any]) -> dict[str, Any]:
        from twinspace.geometry import quat_mul
        pos = quat_rotate(q, tuple(p["position"]))
        return {"position": [pos[0] + offset[0], pos[1] + offset[1], pos[2] + offset[2]],
                "rotation": list(quat_mul(q, tuple(p["rotation"])))}

    return {**capture, "planes": [{**p, "pose": pose(p["pose"])} for p in capture["planes"]],
            "meshes": [{**m, "pose": pose(m["pose"])} for m in capture["meshes"]]}


def living_room(floor_y: float = 0.0, with_tv: bool = True) -> dict[str, Any]:
    """A 5 x 4 m room, 2.5 m tall: x in [-2.5, 2.5], z in [-2, 2]; a TV on the north wall
    (z = -2), a table in the middle, a couch by the south wall, and the global mesh."""
    y = floor_y
    planes = [
        plane("floor", (0, y, 0), (0, 1, 0), 5, 4),
        plane("ceiling", (0, y + 2.5, 0), (0, -1, 0), 5, 4),
        plane("wall", (0, y + 1.25, -2), (0, 0, 1), 5, 2.5),
        plane("wall", (0, y + 1.25, 2), (0, 0, 1), 5, 2.5),      # reported facing out: must be turned
        plane("wall", (-2.5, y + 1.25, 0), (1, 0, 0), 4, 2.5),
        plane("wall", (2.5, y + 1.25, 0), (-1, 0, 0), 4, 2.5),
        plane("table", (0, y + 0.75, 0), (0, 1, 0), 1.2, 0.8),
        plane("window", (2.49, y + 1.5, 0.5), (-1, 0, 0), 1.2, 1.0),
    ]
    meshes = [box("table", (0, y + 0.375, 0), (1.2, 0.75, 0.8)), box("couch", (0, y + 0.4, 1.5), (2.0, 0.8, 0.9)),
              {"label": "global mesh", "pose": {"position": [0, y, 0], "rotation": [0, 0, 0, 1]},
               "vertices": [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1], "indices": [0, 1, 2, 0, 2, 3]}]
    if with_tv:
        meshes.append(box("screen", (0.5, y + 1.2, -1.96), (1.2, 0.7, 0.06)))
    return {"space": "local-floor", "planes": planes, "meshes": meshes}


def demo_lounge(screen: bool = True, window: bool = False) -> dict[str, Any]:
    """The demo home's lounge as the headset would capture it: 7 x 5 m, 2.7 m tall, the TV on
    the north wall, the coffee table and the sofa as volumes (no window unless asked)."""
    planes = [
        plane("floor", (0, 0, 0), (0, 1, 0), 7, 5),
        plane("ceiling", (0, 2.7, 0), (0, -1, 0), 7, 5),
        plane("wall", (0, 1.35, -2.5), (0, 0, 1), 7, 2.7),
        plane("wall", (0, 1.35, 2.5), (0, 0, -1), 7, 2.7),
        plane("wall", (-3.5, 1.35, 0), (1, 0, 0), 5, 2.7),
        plane("wall", (3.5, 1.35, 0), (-1, 0, 0), 5, 2.7),
    ]
    if window:
        planes.append(plane("window", (3.49, 1.5, 0.8), (-1, 0, 0), 1.6, 1.3))
    meshes = [box("table", (0, 0.21, 0.2), (1.1, 0.42, 0.6)), box("couch", (0, 0.225, 1.8), (2.4, 0.45, 0.9))]
    if screen:
        meshes.append(box("screen", (0.0, 1.2, -2.47), (1.71, 0.98, 0.05)))
    return {"space": "local-floor", "planes": planes, "meshes": meshes}
