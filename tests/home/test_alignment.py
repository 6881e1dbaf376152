"""Lining a capture up with the stored room: a known turn and shift is recovered exactly, from
a box room and from Meta's L-shaped scan (where walls share facings), and a different room
does not fit."""

from __future__ import annotations

import math
import random

import pytest
import support
from capture_helpers import living_room, moved

from twinspace.home.alignment import TOLERANCE_M, Rigid, fit_walls, marks_of
from twinspace.home.capture import Capture, room_from_capture
from twinspace.home.model import Surface
from twinspace.home.mruk import read_mruk


def walls(room) -> list[Surface]:  # noqa: ANN001
    return [s for s in room.surfaces if s.label == "WALL_FACE"]


def moved_walls(ws: list[Surface], t: Rigid) -> list[Surface]:
    return [w.model_copy(update={"pose": t.pose(w.pose)}) for w in ws]


def test_rigid_inverse_and_pose() -> None:
    t = Rigid(math.radians(30), 1.0, -2.0)
    p = (0.3, 1.2, -0.4)
    back = t.inverse().point(t.point(p))
    assert back == pytest.approx(p, abs=1e-9)
    assert t.point((0.0, 0.0, 0.0)) == pytest.approx((1.0, 0.0, -2.0))


def test_fit_recovers_a_known_turn_and_shift_of_a_capture() -> None:
    stored = room_from_capture(Capture.model_validate(living_room()), "living", "Living").room
    again = room_from_capture(Capture.model_validate(moved(living_room(), 37.0, (1.5, 0.0, -0.7))), "living", "x").room
    fit = fit_walls(walls(again), walls(stored))
    assert fit.good and fit.rms_m < 1e-4
    # the capture was turned by +37 degrees and shifted: the fit undoes exactly that
    expected = Rigid(math.radians(37.0), 1.5, -0.7).inverse()
    assert math.degrees(fit.transform.yaw) == pytest.approx(-37.0, abs=1e-3)
    assert (fit.transform.x, fit.transform.z) == pytest.approx((expected.x, expected.z), abs=1e-4)


@pytest.mark.parametrize("yaw_deg, x, z", [(0.0, 0.0, 0.0), (90.0, 2.0, 1.0), (-123.4, -0.8, 3.3), (179.0, 0.1, -0.2)])
def test_fit_recovers_the_l_shaped_scan(yaw_deg: float, x: float, z: float) -> None:
    room = read_mruk(support.shared_path("fixtures", "mruk", "l-shaped-room.unity.json")).home.rooms[0]
    true = Rigid(math.radians(yaw_deg), x, z)
    captured = moved_walls(walls(room), true.inverse())  # what a session that started elsewhere sees
    fit = fit_walls(captured, walls(room))
    assert fit.good, fit
    for w, c in zip(walls(room), captured):
        assert fit.transform.point(c.pose.position) == pytest.approx(w.pose.position, abs=1e-3)


def test_noisy_partial_capture_still_fits_within_tolerance() -> None:
    room = read_mruk(support.shared_path("fixtures", "mruk", "l-shaped-room.unity.json")).home.rooms[0]
    rng = random.Random(7)
    true = Rigid(math.radians(64.0), -1.2, 0.4)
    seen = walls(room)[1:]  # one wall not captured this time
    jittered = [w.model_copy(update={"pose": w.pose.model_copy(update={"position": (
        w.pose.position[0] + rng.uniform(-0.01, 0.01), w.pose.position[1], w.pose.position[2] + rng.uniform(-0.01, 0.01))})})
        for w in seen]
    fit = fit_walls(moved_walls(jittered, true.inverse()), walls(room))
    assert fit.good and fit.rms_m < 0.02
    assert math.degrees(fit.transform.yaw) == pytest.approx(64.0, abs=1.0)


def test_another_room_does_not_fit() -> None:
    l_room = read_mruk(support.shared_path("fixtures", "mruk", "l-shaped-room.unity.json")).home.rooms[0]
    box = room_from_capture(Capture.model_validate(living_room()), "living", "Living").room
    fit = fit_walls(walls(box), walls(l_room))
    assert not fit.good and fit.rms_m > TOLERANCE_M


def test_a_rectangular_room_turned_half_round_is_told_apart_by_its_tv() -> None:
    stored = room_from_capture(Capture.model_validate(living_room()), "living", "Living").room
    for yaw in (143.0, -37.0, 180.0):
        again = room_from_capture(Capture.model_validate(moved(living_room(), yaw, (0.4, 0.0, 0.2))), "living", "x").room
        marks = [s for s in again.surfaces if s.label == "SCREEN"]
        fit = fit_walls(walls(again), walls(stored), marks_of(marks, ["SCREEN"]), marks_of(stored.surfaces, ["SCREEN"]))
        assert fit.good
        turn = (math.degrees(fit.transform.yaw) + yaw) % 360.0
        assert min(turn, 360.0 - turn) < 1e-3, "the fit undoes the turn, not the turn plus half round"
        tv, tv_again = marks[0], next(s for s in stored.surfaces if s.label == "SCREEN")
        assert fit.transform.point(tv.pose.position) == pytest.approx(tv_again.pose.position, abs=1e-3)
