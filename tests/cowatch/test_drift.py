"""The drift controller: proportional rate within ±5 %, converging, and a seek only past the threshold."""

from __future__ import annotations

import pytest

from twinspace.cowatch.drift import LIVE_SEEK_S, VOD_SEEK_S, DriftController


def simulate(error: float, *, seconds: float = 10.0, report_s: float = 0.25, delay_s: float = 0.2,
             skew: float = 0.0) -> tuple[list[float], list[float]]:
    """A member `error` s off, reporting every `report_s`, corrections arriving `delay_s` later;
    its clock runs `skew` fast (a cheap TV crystal). Returns errors and rates over time."""
    controller = DriftController()
    dt = 0.01
    rate, pending = 1.0, []  # (time it arrives, rate)
    errors, rates = [], []
    t = 0.0
    while t < seconds:
        if abs(t / report_s - round(t / report_s)) < dt / (2 * report_s):
            c = controller.correct(error)
            assert not c.seek
            pending.append((t + delay_s, c.rate))
        while pending and pending[0][0] <= t:
            rate = pending.pop(0)[1]
        error += (rate * (1 + skew) - 1.0) * dt
        errors.append(error)
        rates.append(rate)
        t += dt
    return errors, rates


@pytest.mark.parametrize("start", [0.2, -0.2, 0.05, -0.03])
def test_converges_and_stays_within_five_percent(start: float) -> None:
    errors, rates = simulate(start)
    assert all(0.95 - 1e-9 <= r <= 1.05 + 1e-9 for r in rates)
    settled = errors[int(len(errors) * 0.6):]  # the last 4 s
    assert max(abs(e) for e in settled) < 0.01, max(abs(e) for e in settled)


def test_a_clock_running_fast_is_held_in_step() -> None:
    errors, _ = simulate(0.0, skew=0.002, seconds=20.0)  # 2 ms/s: a bad crystal or audio clock
    assert max(abs(e) for e in errors[len(errors) // 2:]) < 0.02


def test_small_errors_leave_the_rate_alone_and_large_ones_seek() -> None:
    c = DriftController()
    assert c.correct(0.003).rate == 1.0
    assert c.correct(0.04).rate == pytest.approx(0.96)  # ahead: slow down, in proportion
    assert c.correct(-0.2).rate == pytest.approx(1.05)  # behind, capped
    assert c.correct(0.1, rate=1.25).rate == pytest.approx(1.25 * 0.95)  # relative to the group's rate
    assert not c.correct(VOD_SEEK_S - 0.01).seek
    assert c.correct(VOD_SEEK_S + 0.01).seek and c.correct(-(VOD_SEEK_S + 0.01)).seek


def test_live_seeks_only_further_out() -> None:
    live = DriftController.for_content(live=True)
    assert live.seek_threshold_s == LIVE_SEEK_S
    assert not live.correct(0.28).seek and live.correct(0.32).seek


@pytest.mark.parametrize("lost", [0.09, 0.03, -0.06])
@pytest.mark.parametrize("delay", [0.2, 0.5])
def test_a_hiccup_is_made_up_without_overshoot_even_when_corrections_arrive_late(lost: float, delay: float) -> None:
    """A player that lost tens of ms (a decoder stall at a live fragment change) is back in
    step within 2.5 s, and the gain is low enough that corrections arriving half a second
    late (a loaded machine) do not swing it past the others."""
    errors, _ = simulate(-lost, seconds=5.0, delay_s=delay)
    back = next(i for i in range(len(errors)) if all(abs(e) < 0.01 for e in errors[i:])) * 0.01
    assert back <= 2.5, back
    overshoot = [abs(e) for e in errors if e * lost > 0]  # past zero, to the other side
    assert max(overshoot, default=0.0) < 0.01, max(overshoot)
