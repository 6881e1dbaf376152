"""Commands take effect together: scheduled a bounded lead ahead, from the members' round trips."""

from __future__ import annotations

import pytest

from twinspace.cowatch.schedule import MAX_LEAD_S, MIN_LEAD_S, lead_time, schedule
from twinspace.cowatch.timeline import Command, Timeline, apply

VOD = Timeline("vod:big-wave", live=False, playing=True, position=10.0, anchor=100.0)


def test_lead_is_the_slowest_round_trip_plus_a_margin_within_bounds() -> None:
    assert lead_time([0.02, 0.3, 0.1]) == pytest.approx(0.35)
    assert lead_time([]) == MIN_LEAD_S
    assert lead_time([0.001]) == MIN_LEAD_S
    assert lead_time([5.0]) == MAX_LEAD_S  # one bad link never makes everyone wait long


def test_a_pause_stops_everyone_on_the_same_frame() -> None:
    s = schedule(VOD, Command("pause"), now=102.0, lead_s=0.2)
    assert s.at == pytest.approx(102.2)
    assert not s.timeline.playing
    assert s.timeline.position == pytest.approx(12.2)  # where it is at the moment it takes effect
    assert s.timeline.position_at(500.0) == pytest.approx(12.2)


def test_play_seek_and_rate() -> None:
    paused = apply(VOD, Command("pause"), 101.0)
    resumed = apply(paused, Command("play"), 200.0)
    assert resumed.playing and resumed.position_at(201.0) == pytest.approx(12.0)
    sought = apply(resumed, Command("seek", 60.0), 205.0)
    assert sought.position_at(206.0) == pytest.approx(61.0)
    faster = apply(sought, Command("rate", rate=1.25), 206.0)
    assert faster.position_at(210.0) == pytest.approx(61.0 + 4 * 1.25)


def test_live_positions_are_the_streams_wall_clock() -> None:
    live = Timeline("channel:arena.demo", live=True, playing=True, position=1_764_000_000.0, anchor=1_764_000_008.0)
    assert live.position_at(1_764_000_010.0) == pytest.approx(1_764_000_002.0)


def test_bad_commands_are_refused() -> None:
    with pytest.raises(ValueError, match="position"):
        Command("seek")
    with pytest.raises(ValueError, match="rate"):
        Command("rate", rate=3.0)
