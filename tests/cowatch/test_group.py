"""A group's timing: members in step, a stall dropped and rejoining, a mid-play join, live and on demand."""

from __future__ import annotations

import pytest

from twinspace.cowatch.clock import ClockSample
from twinspace.cowatch.group import STALL_AFTER_S, Group, Report
from twinspace.cowatch.timeline import Command, Timeline

T0 = 1000.0


def vod(playing: bool = True) -> Group:
    return Group("target:p1", Timeline("vod:big-wave", False, playing, 30.0, T0))


def in_step(group: Group, member: str, now: float, error: float = 0.0, advancing: bool = True):
    return group.report(Report(member, group.timeline_at(now).position_at(now) + error, now, advancing), now)


def states(group: Group) -> dict[str, str]:
    return {m.id: m.state for m in group.members()}


def test_members_that_play_in_step_are_in_step_and_left_alone() -> None:
    g = vod()
    g.join("tv", "tv-lounge", T0)
    g.join("quest", "p1", T0)
    assert states(g) == {"tv": "joining", "quest": "joining"}
    assert in_step(g, "tv", T0 + 1).rate == 1.0
    in_step(g, "quest", T0 + 1, error=0.003)
    assert states(g) == {"tv": "in_step", "quest": "in_step"}


def test_a_stall_drops_the_member_from_the_timing_and_never_holds_the_others() -> None:
    g = vod()
    for m in ("tv", "quest", "glasses"):
        g.join(m, "p1", T0)
        g.clock_sample(m, ClockSample(0.0, 0.01, 0.01, 0.02))  # 20 ms round trips
        in_step(g, m, T0 + 0.5)
    g.clock_sample("glasses", ClockSample(0.0, 0.4, 0.4, 0.8))  # its Wi-Fi is struggling: 800 ms
    stall_at, stuck = T0 + 1.0, g.timeline.position_at(T0 + 1.0)
    t = stall_at
    while t < stall_at + 3.0:  # glasses buffer for 3 s: position frozen; the others play on
        c = g.report(Report("glasses", stuck, t, advancing=False), t)
        assert c is None or c.seek  # no rate nudges while buffering
        assert in_step(g, "tv", t).rate == 1.0 and in_step(g, "quest", t).rate == 1.0
        if t - stall_at >= STALL_AFTER_S + 0.3:
            assert states(g)["glasses"] == "stalled"
        t += 0.25
    assert g.timeline.position_at(t) == pytest.approx(30.0 + (t - T0))  # the timeline never waited
    # the stalled member's round trip no longer delays everyone's commands
    assert g.command(Command("pause"), t).at - t == pytest.approx(0.1)
    g.command(Command("play"), t + 0.2)


def test_a_stalled_member_is_told_to_seek_once_and_rejoins_when_it_has_caught_up() -> None:
    g = vod()
    g.join("tv", "tv-lounge", T0)
    in_step(g, "tv", T0 + 0.1)
    t = T0 + 0.2
    first = g.report(Report("tv", 10.0, t, advancing=True), t)  # 20 s behind
    assert first.seek and first.error == pytest.approx(-20.2, abs=1e-6)
    again = g.report(Report("tv", 10.25, t + 0.25, advancing=True), t + 0.25)
    assert not again.seek  # given time to land before being told again
    assert g.report(Report("tv", 0.0, t + 0.5, advancing=False, aligning=True), t + 0.5) is None
    t += 3.0
    assert g.sweep(t) == ["tv"] and states(g)["tv"] == "stalled"  # no report needed to drop it
    in_step(g, "tv", t, error=0.02)
    assert states(g)["tv"] == "in_step"


def test_a_silent_member_is_swept_out_of_the_timing() -> None:
    g = vod()
    g.join("tv", "tv-lounge", T0)
    in_step(g, "tv", T0 + 0.1)
    assert g.sweep(T0 + 2.0) == []
    assert g.sweep(T0 + 5.0) == ["tv"] and states(g)["tv"] == "stalled"


def test_joining_mid_play_is_aligned_onto_the_timeline() -> None:
    g = vod()
    g.join("tv", "tv-lounge", T0)
    in_step(g, "tv", T0 + 1)
    g.join("late", "p1", T0 + 60)  # a minute in; its player starts at 0
    c = g.report(Report("late", 0.0, T0 + 60.5, advancing=False), T0 + 60.5)
    assert c.seek and c.error == pytest.approx(-90.5)
    c = in_step(g, "late", T0 + 62, error=-0.03)
    assert states(g)["late"] == "in_step" and c.rate == pytest.approx(1.03)


def test_a_scheduled_command_applies_from_its_moment_only() -> None:
    g = vod()
    g.join("tv", "tv-lounge", T0)
    s = g.command(Command("pause"), T0 + 10)
    assert g.timeline_at(s.at - 0.01).playing and not g.timeline_at(s.at).playing
    # a member still playing just before the pause is in step; paused just after, too
    assert in_step(g, "tv", s.at - 0.01).rate == 1.0
    assert g.report(Report("tv", s.timeline.position, s.at + 1, advancing=False), s.at + 1).rate == 1.0


def test_live_aligns_on_stream_time_and_tolerates_more_before_seeking() -> None:
    now = 1_764_000_000.0
    g = Group("target:tv-lounge", Timeline("channel:arena.demo", True, True, now - 8.0, now))
    g.join("tv", "tv-lounge", now)
    c = g.report(Report("tv", now - 8.0 + 1.0 - 0.28, now + 1.0, advancing=True), now + 1.0)
    assert not c.seek and c.rate == pytest.approx(1.05)  # 280 ms behind: nudged, not seeked (on demand it would be)
    assert g.report(Report("tv", now - 8.0 + 1.5 - 0.7, now + 1.5, True), now + 1.5).seek


def test_with_correction_off_the_group_only_watches() -> None:
    g = Group("target:p1", Timeline("vod:big-wave", False, True, 0.0, T0), correction=False)
    g.join("tv", "tv-lounge", T0)
    assert g.report(Report("tv", 0.0, T0 + 5, True), T0 + 5) is None
    assert g.members()[0].error_s == pytest.approx(-5.0)


def test_a_member_joins_once() -> None:
    g = vod()
    g.join("tv", "tv-lounge", T0)
    with pytest.raises(ValueError):
        g.join("tv", "tv-lounge", T0)
    with pytest.raises(KeyError):
        g.report(Report("nobody", 0.0, T0, True), T0)
