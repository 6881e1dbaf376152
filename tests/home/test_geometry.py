"""Geometry: quaternions, frames, viewer relations, angular sizes and floor polygons."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twinspace.geometry import (
    IDENTITY, Frame, Viewer, angular_size_deg, extent_for_angle, point_in_polygon, polygon_area,
    polygon_centroid, quat_conjugate, quat_facing, quat_from_axis_angle, quat_from_basis,
    quat_from_yaw, quat_mul, quat_rotate, rect_contains, rects_overlap,
)


def close(a, b, tol: float = 1e-9) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def same_rotation(a, b, tol: float = 1e-9) -> bool:
    """q and -q are the same rotation."""
    return close(a, b, tol) or close(a, tuple(-c for c in b), tol)


unit = st.floats(-1, 1, allow_nan=False)
angles = st.floats(-math.pi, math.pi, allow_nan=False)
axes = st.tuples(unit, unit, unit).filter(lambda v: math.sqrt(sum(c * c for c in v)) > 0.1)


# --- quaternions -----------------------------------------------------------------------

def test_rotate_about_y_by_90_turns_plus_z_into_plus_x() -> None:
    q = quat_from_yaw(math.pi / 2)
    assert close(quat_rotate(q, (0, 0, 1)), (1, 0, 0))
    assert close(quat_rotate(q, (1, 0, 0)), (0, 0, -1))
    assert close(quat_rotate(q, (0, 1, 0)), (0, 1, 0))


def test_rotate_about_x_by_minus_90_lays_a_surface_flat_facing_up() -> None:
    q = quat_from_axis_angle((1, 0, 0), -math.pi / 2)
    assert close(q, (-math.sqrt(0.5), 0, 0, math.sqrt(0.5)))
    assert close(quat_rotate(q, (0, 0, 1)), (0, 1, 0))  # normal up
    assert close(quat_rotate(q, (0, 1, 0)), (0, 0, -1))  # "up" of the table top points away


def test_compose_applies_right_operand_first() -> None:
    a = quat_from_axis_angle((0, 1, 0), math.pi / 2)
    b = quat_from_axis_angle((1, 0, 0), math.pi / 2)
    v = (0.0, 0.0, 1.0)
    assert close(quat_rotate(quat_mul(a, b), v), quat_rotate(a, quat_rotate(b, v)))
    # b takes +Z to -Y, which a (about Y) leaves alone
    assert close(quat_rotate(quat_mul(a, b), v), (0, -1, 0))


@given(axes, angles, st.tuples(unit, unit, unit))
def test_inverse_undoes_rotation(axis, angle, v) -> None:
    q = quat_from_axis_angle(axis, angle)
    assert close(quat_rotate(quat_conjugate(q), quat_rotate(q, v)), v, 1e-9)
    assert same_rotation(quat_mul(q, quat_conjugate(q)), IDENTITY, 1e-9)


@given(axes, angles)
def test_quat_from_basis_round_trips(axis, angle) -> None:
    q = quat_from_axis_angle(axis, angle)
    basis = [quat_rotate(q, e) for e in ((1, 0, 0), (0, 1, 0), (0, 0, 1))]
    back = quat_from_basis(*basis)
    assert same_rotation(back, q, 1e-7)
    assert back[3] >= 0  # canonical sign


@pytest.mark.parametrize("q", [(0, 1, 0, 0), (1, 0, 0, 0), (0, 0, 1, 0),
                               (0, math.sqrt(0.5), 0, math.sqrt(0.5)),
                               (0, -math.sqrt(0.5), 0, math.sqrt(0.5))])
def test_quat_from_basis_handles_each_branch(q) -> None:
    basis = [quat_rotate(q, e) for e in ((1, 0, 0), (0, 1, 0), (0, 0, 1))]
    assert same_rotation(quat_from_basis(*basis), q, 1e-9)


@pytest.mark.parametrize("normal", [(0, 0, 1), (1, 0, 0), (0, 0, -1), (-1, 0, 0), (0, 1, 0), (0.6, 0, 0.8)])
def test_quat_facing_points_plus_z_along_the_normal_and_keeps_upright(normal) -> None:
    q = quat_facing(normal)
    assert close(quat_rotate(q, (0, 0, 1)), normal, 1e-9)
    if normal[1] == 0:
        assert close(quat_rotate(q, (0, 1, 0)), (0, 1, 0), 1e-9)
        assert abs(quat_rotate(q, (1, 0, 0))[1]) < 1e-9  # width stays level


def test_wall_rotations_in_the_fixture_face_into_the_room() -> None:
    west = Frame((-3, 1.3, 0), (0, math.sqrt(0.5), 0, math.sqrt(0.5)))
    east = Frame((3, 1.3, 0), (0, -math.sqrt(0.5), 0, math.sqrt(0.5)))
    south = Frame((0, 1.3, 2.5), (0, 1, 0, 0))
    assert close(west.normal, (1, 0, 0))
    assert close(east.normal, (-1, 0, 0))
    assert close(south.normal, (0, 0, -1))


# --- frames ----------------------------------------------------------------------------

def test_frame_to_world_and_back() -> None:
    f = Frame((1, 2, 3), quat_from_yaw(math.pi / 2))
    assert close(f.to_world((0, 0, 1)), (2, 2, 3))
    assert close(f.to_local((2, 2, 3)), (0, 0, 1))
    assert close(f.x_axis, (0, 0, -1))
    assert close(f.y_axis, (0, 1, 0))
    assert close(f.normal, (1, 0, 0))


@given(axes, angles, st.tuples(unit, unit, unit), st.tuples(unit, unit, unit))
def test_frame_round_trip(axis, angle, origin, p) -> None:
    f = Frame(origin, quat_from_axis_angle(axis, angle))
    assert close(f.to_local(f.to_world(p)), p, 1e-9)


def test_rect_helpers() -> None:
    assert rect_contains((2, 1), 1, 0.5)
    assert not rect_contains((2, 1), 1.01, 0)
    assert rects_overlap((0, 0), (1, 1), (0.9, 0), (1, 1))
    assert not rects_overlap((0, 0), (1, 1), (1.0, 0), (1, 1))  # touching is not overlapping
    assert rects_overlap((0, 0), (1, 1), (1.05, 0), (1, 1), gap=0.1)
    assert not rects_overlap((0, 0), (1, 1), (1.1, 0), (1, 1), gap=0.1)


# --- viewers ---------------------------------------------------------------------------

@pytest.mark.parametrize("yaw, forward, right", [
    (0, (0, 0, -1), (1, 0, 0)),
    (90, (-1, 0, 0), (0, 0, -1)),
    (180, (0, 0, 1), (-1, 0, 0)),
    (-90, (1, 0, 0), (0, 0, 1)),
])
def test_viewer_axes(yaw, forward, right) -> None:
    v = Viewer((0, 1.6, 0), yaw)
    assert close(v.forward, forward, 1e-12)
    assert close(v.right, right, 1e-12)
    assert close(v.direction("left"), tuple(-c for c in right), 1e-12)
    assert close(v.direction("behind"), tuple(-c for c in forward), 1e-12)


@pytest.mark.parametrize("yaw, expected", [
    (0, {"n": "front", "e": "right", "s": "behind", "w": "left"}),
    (90, {"n": "right", "e": "behind", "s": "left", "w": "front"}),
    (180, {"n": "behind", "e": "left", "s": "front", "w": "right"}),
    (-90, {"n": "left", "e": "front", "s": "right", "w": "behind"}),
])
def test_viewer_side_of_rotates_with_yaw(yaw, expected) -> None:
    v = Viewer((0, 1.6, 0), yaw)
    points = {"n": (0, 1, -2), "e": (2, 1, 0), "s": (0, 1, 2), "w": (-2, 1, 0)}
    assert {k: v.side_of(p) for k, p in points.items()} == expected


def test_bearing_and_angle() -> None:
    v = Viewer((0, 1.6, 0), 0)
    assert v.bearing_deg((1, 1.6, -1)) == pytest.approx(45)
    assert v.bearing_deg((-1, 1.6, -1)) == pytest.approx(-45)
    assert v.bearing_deg((0, 1.6, 0)) == 0.0
    assert v.angle_to_deg((0, 2.6, -1)) == pytest.approx(45)
    assert v.side_of((3, 1, 1)) == "right"  # bearing ~108°


def test_angular_size_and_inverse() -> None:
    assert angular_size_deg(2.0, 1.0) == pytest.approx(90)
    assert extent_for_angle(90, 1.0) == pytest.approx(2.0)
    for angle, dist in ((20, 0.75), (30, 2.0), (60, 5.0)):
        assert angular_size_deg(extent_for_angle(angle, dist), dist) == pytest.approx(angle)
    with pytest.raises(ValueError):
        angular_size_deg(1, 0)


# --- polygons --------------------------------------------------------------------------

SQUARE = [(-3.0, -2.5), (3.0, -2.5), (3.0, 2.5), (-3.0, 2.5)]
L_SHAPE = [(0.0, 0.0), (4.0, 0.0), (4.0, 1.0), (1.0, 1.0), (1.0, 3.0), (0.0, 3.0)]


def test_polygon_area_is_orientation_independent() -> None:
    assert polygon_area(SQUARE) == pytest.approx(30)
    assert polygon_area(SQUARE[::-1]) == pytest.approx(30)
    assert polygon_area(L_SHAPE) == pytest.approx(6)


def test_polygon_centroid() -> None:
    assert close(polygon_centroid(SQUARE), (0, 0))
    assert close(polygon_centroid([(3, -2.5), (7, -2.5), (7, 1), (3, 1)][::-1]), (5, -0.75))
    # L: a 4x1 bar (centre 2, 0.5) and a 1x2 leg (centre 0.5, 2)
    assert close(polygon_centroid(L_SHAPE), ((4 * 2 + 2 * 0.5) / 6, (4 * 0.5 + 2 * 2) / 6))
    assert close(polygon_centroid([(0, 0), (1, 1), (2, 2)]), (1, 1))  # degenerate: mean


def test_point_in_polygon() -> None:
    assert point_in_polygon(0, 1, SQUARE)
    assert not point_in_polygon(3.5, 0, SQUARE)
    assert point_in_polygon(0.5, 2.5, L_SHAPE)
    assert not point_in_polygon(2.5, 2.0, L_SHAPE)  # in the notch
    assert point_in_polygon(3.5, 0.5, L_SHAPE[::-1])


@settings(max_examples=50)
@given(st.floats(-3, 3), st.floats(-2.5, 2.5))
def test_point_in_square_agrees_with_bounds(x, z) -> None:
    if abs(abs(x) - 3) > 1e-9 and abs(abs(z) - 2.5) > 1e-9:
        assert point_in_polygon(x, z, SQUARE) == (abs(x) < 3 and abs(z) < 2.5)
