"""Line the twin up with the headset's space: the rigid transform that lays captured walls onto
the stored room's walls, and how well it fits.

A headset's `local-floor` space starts wherever a session starts, so the same room captured
twice comes out turned and shifted. Both floors are level (y up), so the transform is a turn
about +Y and a shift in x/z. `fit_walls` tries every turn that makes some captured wall face
the way some stored wall faces, matches each captured wall to the nearest stored wall facing
the same way, solves the shift by least squares (iterated, like ICP), and keeps the turn whose
wall ends lie closest to the stored walls. The fit's `rms_m` is that distance; a fit worse
than `TOLERANCE_M` is `good = False`: ask for a re-capture rather than drawing panels in the
wrong place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from twinspace.geometry import Quat, Vec3, quat_from_yaw, quat_mul
from twinspace.home.model import Pose, Surface
from twinspace.home.scan import edge_distance, wall_ends

TOLERANCE_M = 0.05      # "a few centimetres"
SAME_FACING_DEG = 10.0  # walls this close in facing may be the same wall
ROUNDS = 6
MISSING_M = 1.0         # what a captured wall with no stored wall facing its way counts as

Mark = tuple[str, Sequence[float]]  # a label and a position


@dataclass(frozen=True)
class Rigid:
    """Turn by `yaw` (radians, about +Y) then shift by (x, 0, z): captured space -> twin."""

    yaw: float = 0.0
    x: float = 0.0
    z: float = 0.0

    def point(self, p: Sequence[float]) -> Vec3:
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        return (c * p[0] + s * p[2] + self.x, p[1], -s * p[0] + c * p[2] + self.z)

    def rotation(self, q: Quat) -> Quat:
        return quat_mul(quat_from_yaw(self.yaw), q)

    def pose(self, pose: Pose) -> Pose:
        r = self.rotation(pose.rotation)
        return Pose(position=tuple(round(c, 6) + 0.0 for c in self.point(pose.position)),  # type: ignore[arg-type]
                    rotation=tuple(round(c, 9) for c in (r if r[3] >= 0 else tuple(-c for c in r))))  # type: ignore[arg-type]

    def inverse(self) -> "Rigid":
        c, s = math.cos(-self.yaw), math.sin(-self.yaw)
        return Rigid(-self.yaw, -(c * self.x + s * self.z), -(-s * self.x + c * self.z))

    def as_dict(self) -> dict[str, float]:
        return {"yaw_deg": round(math.degrees(self.yaw), 4), "x": round(self.x, 4), "z": round(self.z, 4)}


@dataclass(frozen=True)
class Fit:
    transform: Rigid
    rms_m: float
    walls: int  # captured walls used

    @property
    def good(self) -> bool:
        return self.rms_m <= TOLERANCE_M


def _heading(wall: Surface) -> float:
    n = wall.frame.normal
    return math.atan2(n[0], n[2])


def _segments(walls: Sequence[Surface]) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(first end, second end, heading) of each wall on the floor plan."""
    out = []
    for w in walls:
        a, b = wall_ends(w)
        out.append((np.array(a), np.array(b), _heading(w)))
    return out


def fit_walls(captured: Sequence[Surface], stored: Sequence[Surface],
              marks: Sequence[Mark] = (), stored_marks: Sequence[Mark] = ()) -> Fit:
    """The rigid transform laying `captured` walls onto `stored` ones; see the module doc.

    A rectangular room fits turned half round as well as it fits straight; `marks` (label and
    position of the capture's other things: the screen, doors, windows) decide between such
    equal fits by how near each lands to a stored mark with its label.
    """
    if len(captured) < 2 or len(stored) < 2:
        return Fit(Rigid(), math.inf, len(captured))
    cap, ref = _segments(captured), _segments(stored)
    ref_outlines = [[tuple(a), tuple(b)] for a, b, _ in ref]
    yaws = sorted({round(_wrap(h_ref - h_cap), 6) for _, _, h_cap in cap for _, _, h_ref in ref})
    fits = [_fit_at(yaw, cap, ref, ref_outlines) for yaw in yaws]
    best = min(fits, key=lambda f: f.rms_m)
    ties = [f for f in fits if f.rms_m <= best.rms_m + TOLERANCE_M / 5]
    return min(ties, key=lambda f: (_landmark_miss(f.transform, marks, stored_marks), f.rms_m))


def marks_of(surfaces: Sequence[Surface], labels: Sequence[str]) -> list[Mark]:
    return [(s.label, s.pose.position) for s in surfaces if s.label in labels]


def _landmark_miss(t: Rigid, marks: Sequence[Mark], stored: Sequence[Mark]) -> float:
    """Mean distance from each mark, moved by `t`, to the nearest stored mark of its label."""
    misses = []
    for label, at in marks:
        p = t.point(at)
        near = [math.dist(p, there) for kind, there in stored if kind == label]
        misses.append(min(near + [2.0]))
    return sum(misses) / len(misses) if misses else 0.0


def _fit_at(yaw: float, cap: list, ref: list, ref_outlines: list) -> Fit:
    c, s = math.cos(yaw), math.sin(yaw)
    rot = np.array([[c, s], [-s, c]])  # acts on (x, z) column vectors, as Rigid.point does
    ends = [(rot @ a, rot @ b, _wrap(h + yaw)) for a, b, h in cap]
    shift = np.mean([r[0] + r[1] for r in ref], axis=0) / 2 - np.mean([e[0] + e[1] for e in ends], axis=0) / 2
    for _ in range(ROUNDS):
        rows, rhs = [], []
        for a, b, h in ends:
            mid = (a + b) / 2 + shift
            options = [(abs(_wrap(h - hr)), ra, rb, hr) for ra, rb, hr in ref
                       if abs(_wrap(h - hr)) <= math.radians(SAME_FACING_DEG)]
            if not options:
                continue
            _, ra, rb, hr = min(options, key=lambda o: _to_segment(mid, o[1], o[2]))
            n = np.array([math.sin(hr), math.cos(hr)])  # the stored wall's normal in (x, z)
            rows.append(n)
            rhs.append(n @ ((ra + rb) / 2) - n @ ((a + b) / 2))
        if len(rows) < 2:
            return Fit(Rigid(), math.inf, len(cap))
        step, *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
        if np.linalg.matrix_rank(np.array(rows)) < 2:  # all walls parallel: keep the along-wall shift
            n = rows[0]
            step = n * (n @ step) + (shift - n * (n @ shift))
        shift = step
    dists: list[float] = []
    for a, b, h in ends:  # each wall's ends and middle, to the stored wall facing its way that fits best
        points = [a + shift, (a + b) / 2 + shift, b + shift]
        same = [o for (_, _, hr), o in zip(ref, ref_outlines) if abs(_wrap(h - hr)) <= math.radians(SAME_FACING_DEG)]
        dists += min(([edge_distance((float(q[0]), float(q[1])), o) for q in points] for o in same),
                     key=sum, default=[MISSING_M] * 3)
    rms = math.sqrt(sum(d * d for d in dists) / len(dists))
    return Fit(Rigid(yaw, float(shift[0]), float(shift[1])), rms, len(cap))


def _to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return edge_distance((float(p[0]), float(p[1])), [(float(a[0]), float(a[1])), (float(b[0]), float(b[1]))])


def _wrap(angle: float) -> float:
    return (angle + math.pi) % (2 * math.pi) - math.pi
