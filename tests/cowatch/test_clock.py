"""The clock offset estimate, over a simulated network whose legs are unequal and jittery."""

from __future__ import annotations

import random

import pytest

from twinspace.cowatch.clock import ClockSample, OffsetEstimator

TRUE_OFFSET = 0.3172  # the hub's clock is this far ahead of the member's


def exchange(rng: random.Random, local_t0: float) -> ClockSample:
    """A ping over a busy uplink (2-80 ms, jittery) and a quick downlink (2-6 ms)."""
    up, down, processing = rng.uniform(0.002, 0.080), rng.uniform(0.002, 0.006), rng.uniform(0.0, 0.002)
    t1 = local_t0 + TRUE_OFFSET + up
    t2 = t1 + processing
    t3 = t2 - TRUE_OFFSET + down
    return ClockSample(local_t0, t1, t2, t3)


def test_one_sample_is_the_ntp_formula() -> None:
    s = ClockSample(t0=10.0, t1=15.010, t2=15.012, t3=10.030)
    assert s.round_trip == pytest.approx(0.028)
    assert s.offset == pytest.approx(((15.010 - 10.0) + (15.012 - 10.030)) / 2)


def test_the_smallest_round_trip_beats_the_average_on_an_asymmetric_network() -> None:
    rng = random.Random(7)
    estimator = OffsetEstimator(window=8)
    samples = [exchange(rng, 100.0 + i) for i in range(8)]
    for s in samples:
        estimator.add(s)
    assert estimator.best is min(samples, key=lambda s: s.round_trip)
    error = abs(estimator.offset - TRUE_OFFSET)
    naive = abs(sum(s.offset for s in samples) / len(samples) - TRUE_OFFSET)
    assert error <= estimator.round_trip / 2  # the bound NTP promises
    assert error < naive
    assert error < 0.01


def test_only_the_last_samples_count() -> None:
    estimator = OffsetEstimator(window=3)
    estimator.add(ClockSample(0.0, 5.0005, 5.0005, 0.001))  # a very quick one, offset 5
    for i in range(3):  # the clock stepped: offset 7 now, slower exchanges
        estimator.add(ClockSample(10.0 + i, 17.01 + i, 17.01 + i, 10.02 + i))
    assert estimator.offset == pytest.approx(7.0, abs=0.01)
    assert estimator.hub_time(20.0) == pytest.approx(27.0, abs=0.01)


def test_no_sample_yet_means_the_member_clock_and_nonsense_is_refused() -> None:
    estimator = OffsetEstimator()
    assert estimator.offset is None and estimator.hub_time(3.0) == 3.0
    with pytest.raises(ValueError, match="backwards"):
        estimator.add(ClockSample(t0=5.0, t1=1.0, t2=1.0, t3=4.0))
    with pytest.raises(ValueError):
        OffsetEstimator(window=0)
