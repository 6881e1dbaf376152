"""Geometry of the home: vectors, quaternions, poses, plane frames and viewer relations.

Conventions (spec/home-format.md): right-handed, metres, +Y up, quaternions [x, y, z, w].
A flat thing has a local frame with +X along its width, +Y along its height and +Z its
normal, pointing out of it into the room. A viewer faces −Z rotated by yaw about +Y.
Angles are degrees at the edges and radians inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Vec3 = tuple[float, float, float]
Quat = tuple[float, float, float, float]
Side = Literal["left", "right", "front", "behind"]

UP: Vec3 = (0.0, 1.0, 0.0)
IDENTITY: Quat = (0.0, 0.0, 0.0, 1.0)


# --- vectors -------------------------------------------------------------------------

def add(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def sub(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def scale(a: Vec3, k: float) -> Vec3:
    return (a[0] * k, a[1] * k, a[2] * k)


def dot(a: Vec3, b: Vec3) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def length(a: Vec3) -> float:
    return math.sqrt(dot(a, a))


def normalize(a: Vec3) -> Vec3:
    n = length(a)
    if n == 0:
        raise ValueError("cannot normalise a zero vector")
    return (a[0] / n, a[1] / n, a[2] / n)


def distance(a: Vec3, b: Vec3) -> float:
    return length(sub(a, b))


def horizontal(a: Vec3) -> Vec3:
    """The vector projected onto the floor plane."""
    return (a[0], 0.0, a[2])


# --- quaternions ---------------------------------------------------------------------

def quat_normalize(q: Quat) -> Quat:
    n = math.sqrt(sum(c * c for c in q))
    if n == 0:
        raise ValueError("a rotation quaternion cannot be all zeros")
    return (q[0] / n, q[1] / n, q[2] / n, q[3] / n)


def quat_mul(a: Quat, b: Quat) -> Quat:
    """Hamilton product a·b: rotate by b first, then by a."""
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return (
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
        aw * bw - ax * bx - ay * by - az * bz,
    )


def quat_conjugate(q: Quat) -> Quat:
    return (-q[0], -q[1], -q[2], q[3])


def quat_rotate(q: Quat, v: Vec3) -> Vec3:
    """Rotate vector v by unit quaternion q."""
    qv = (q[0], q[1], q[2])
    t = scale(cross(qv, v), 2.0)
    return add(add(v, scale(t, q[3])), cross(qv, t))


def quat_from_axis_angle(axis: Vec3, angle_rad: float) -> Quat:
    x, y, z = normalize(axis)
    s = math.sin(angle_rad / 2)
    return (x * s, y * s, z * s, math.cos(angle_rad / 2))


def quat_from_yaw(yaw_rad: float) -> Quat:
    return quat_from_axis_angle(UP, yaw_rad)


def quat_from_basis(x_axis: Vec3, y_axis: Vec3, z_axis: Vec3) -> Quat:
    """The rotation whose local axes map to the given orthonormal world axes."""
    m00, m10, m20 = x_axis
    m01, m11, m21 = y_axis
    m02, m12, m22 = z_axis
    trace = m00 + m11 + m22
    if trace > 0:
        s = math.sqrt(trace + 1.0) * 2
        q = ((m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, 0.25 * s)
    elif m00 > m11 and m00 > m22:
        s = math.sqrt(1.0 + m00 - m11 - m22) * 2
        q = (0.25 * s, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s)
    elif m11 > m22:
        s = math.sqrt(1.0 + m11 - m00 - m22) * 2
        q = ((m01 + m10) / s, 0.25 * s, (m12 + m21) / s, (m02 - m20) / s)
    else:
        s = math.sqrt(1.0 + m22 - m00 - m11) * 2
        q = ((m02 + m20) / s, (m12 + m21) / s, 0.25 * s, (m10 - m01) / s)
    q = quat_normalize(q)
    # One canonical sign keeps exports stable.
    return q if q[3] >= 0 else (-q[0], -q[1], -q[2], -q[3])


def quat_facing(normal: Vec3, up_hint: Vec3 = UP) -> Quat:
    """Rotation of a flat thing whose +Z is `normal` and whose +Y leans toward `up_hint`."""
    z = normalize(normal)
    if abs(dot(z, normalize(up_hint))) > 0.999:
        up_hint = (0.0, 0.0, -1.0)  # lying flat: keep "up" pointing away from a default viewer
    x = normalize(cross(up_hint, z))
    y = cross(z, x)
    return quat_from_basis(x, y, z)


# --- poses and plane frames ----------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """A rigid transform: local coordinates to world coordinates."""

    position: Vec3
    rotation: Quat = IDENTITY

    @property
    def x_axis(self) -> Vec3:
        return quat_rotate(self.rotation, (1.0, 0.0, 0.0))

    @property
    def y_axis(self) -> Vec3:
        return quat_rotate(self.rotation, (0.0, 1.0, 0.0))

    @property
    def normal(self) -> Vec3:
        """Local +Z in the world: for a flat thing, the direction it faces."""
        return quat_rotate(self.rotation, (0.0, 0.0, 1.0))

    def to_world(self, local: Vec3) -> Vec3:
        return add(self.position, quat_rotate(self.rotation, local))

    def to_local(self, world: Vec3) -> Vec3:
        return quat_rotate(quat_conjugate(self.rotation), sub(world, self.position))


def rect_contains(size: tuple[float, float], x: float, y: float, eps: float = 1e-6) -> bool:
    """Whether local (x, y) lies inside a centred rectangle of `size`."""
    return abs(x) <= size[0] / 2 + eps and abs(y) <= size[1] / 2 + eps


def rects_overlap(a_centre: tuple[float, float], a_size: tuple[float, float],
                  b_centre: tuple[float, float], b_size: tuple[float, float],
                  gap: float = 0.0) -> bool:
    """Axis-aligned overlap of two rectangles in one plane frame, with a required gap."""
    return (abs(a_centre[0] - b_centre[0]) < (a_size[0] + b_size[0]) / 2 + gap - 1e-9
            and abs(a_centre[1] - b_centre[1]) < (a_size[1] + b_size[1]) / 2 + gap - 1e-9)


# --- polygons (floor plans, in x/z) --------------------------------------------------

def polygon_area(points: list[tuple[float, float]]) -> float:
    """Unsigned area of a simple polygon (shoelace formula)."""
    n = len(points)
    s = sum(points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1]
            for i in range(n))
    return abs(s) / 2


def polygon_centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    n = len(points)
    a = 0.0
    cx = cy = 0.0
    for i in range(n):
        x0, y0 = points[i]
        x1, y1 = points[(i + 1) % n]
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    if abs(a) < 1e-12:
        return (sum(p[0] for p in points) / n, sum(p[1] for p in points) / n)
    a /= 2
    return (cx / (6 * a), cy / (6 * a))


def point_in_polygon(x: float, y: float, points: list[tuple[float, float]]) -> bool:
    inside = False
    n = len(points)
    for i in range(n):
        x0, y0 = points[i]
        x1, y1 = points[(i + 1) % n]
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            inside = not inside
    return inside


# --- viewers -------------------------------------------------------------------------

@dataclass(frozen=True)
class Viewer:
    """A person's eyes: position and facing (yaw about +Y, 0 = looking toward −Z)."""

    position: Vec3
    yaw_deg: float = 0.0

    @property
    def forward(self) -> Vec3:
        a = math.radians(self.yaw_deg)
        return (-math.sin(a), 0.0, -math.cos(a))

    @property
    def right(self) -> Vec3:
        a = math.radians(self.yaw_deg)
        return (math.cos(a), 0.0, -math.sin(a))

    def direction(self, side: Side) -> Vec3:
        f, r = self.forward, self.right
        return {"front": f, "behind": scale(f, -1), "right": r, "left": scale(r, -1)}[side]

    def bearing_deg(self, point: Vec3) -> float:
        """Horizontal angle from the viewer's facing to `point`; positive is to the right."""
        d = horizontal(sub(point, self.position))
        if length(d) < 1e-9:
            return 0.0
        return math.degrees(math.atan2(dot(d, self.right), dot(d, self.forward)))

    def side_of(self, point: Vec3) -> Side:
        """Which quarter around the viewer a point lies in."""
        b = self.bearing_deg(point)
        if -45 <= b <= 45:
            return "front"
        if 45 < b < 135:
            return "right"
        if -135 < b < -45:
            return "left"
        return "behind"

    def angle_to_deg(self, point: Vec3) -> float:
        """Full 3D angle between the line of sight and the direction to `point`."""
        d = sub(point, self.position)
        n = length(d)
        if n < 1e-9:
            return 0.0
        c = max(-1.0, min(1.0, dot(d, self.forward) / n))
        return math.degrees(math.acos(c))


def angular_size_deg(extent_m: float, distance_m: float) -> float:
    """The visual angle of an object of `extent_m` seen face-on from `distance_m`."""
    if distance_m <= 0:
        raise ValueError("distance must be positive")
    return math.degrees(2 * math.atan(extent_m / (2 * distance_m)))


def extent_for_angle(angle_deg: float, distance_m: float) -> float:
    """The size that subtends `angle_deg` at `distance_m` (inverse of angular_size_deg)."""
    return 2 * distance_m * math.tan(math.radians(angle_deg) / 2)
