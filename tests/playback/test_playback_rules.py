"""The pure playback rules: positions over time, transitions, where sessions play, resume points."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playback_helpers import AT

from twinspace.content import playback as rules
from twinspace.errors import InvalidInput, NotFound
from twinspace.home.model import DeviceState, Home, Playback

MOVIE = "vod:starfall"
LENGTH = 7800.0


def later(seconds: float):
    return AT + timedelta(seconds=seconds)


def test_position_advances_in_real_time_only_while_playing() -> None:
    s = rules.start(MOVIE, AT, person="minji")
    assert rules.position_at(s, AT, LENGTH) == 0
    assert rules.position_at(s, later(90.5), LENGTH) == pytest.approx(90.5)
    paused = rules.pause(s, later(90.5), LENGTH)
    assert not paused.playing and paused.updated_at == later(90.5)
    assert rules.position_at(paused, later(3600), LENGTH) == pytest.approx(90.5)  # frozen while paused
    resumed = rules.resume(paused, later(3600), LENGTH)
    assert rules.position_at(resumed, later(3630), LENGTH) == pytest.approx(120.5)


def test_position_stops_at_the_end_and_resume_starts_over() -> None:
    s = rules.start(MOVIE, AT, person=None, position_s=LENGTH - 10)
    assert rules.position_at(s, later(60), LENGTH) == LENGTH
    assert rules.has_finished(s, later(60), LENGTH)
    again = rules.resume(rules.pause(s, later(60), LENGTH), later(61), LENGTH)
    assert again.position_s == 0 and again.playing
    with pytest.raises(InvalidInput, match="finished"):
        rules.moved(s, later(60), LENGTH)


def test_unknown_duration_and_untimed_sessions() -> None:
    s = rules.start(MOVIE, AT, person=None)
    assert rules.position_at(s, later(10_000)) == pytest.approx(10_000)  # no duration: no end
    seeded = Playback(content=MOVIE, playing=True, position_s=600)  # no updated_at: nothing to advance from
    assert rules.position_at(seeded, later(50), LENGTH) == 600


def test_live_content_has_no_position_and_cannot_seek() -> None:
    live = rules.start("channel:news24.kr", AT, person=None, position_s=99)
    assert live.position_s == 0 and rules.position_at(live, later(300)) is None
    assert rules.is_live("programme:sportsone.kr/20261128103000") and not rules.is_live(MOVIE)
    with pytest.raises(InvalidInput, match="live TV"):
        rules.seek(live, later(1), delta_s=30)
    assert rules.moved(live, later(300)).content == "channel:news24.kr"


def test_seek_is_absolute_or_relative_and_stays_inside_the_title() -> None:
    s = rules.start(MOVIE, AT, person=None, position_s=600)
    assert rules.seek(s, later(10), LENGTH, delta_s=30).position_s == pytest.approx(640)
    assert rules.seek(s, later(10), LENGTH, delta_s=-120).position_s == pytest.approx(490)
    assert rules.seek(s, later(10), LENGTH, delta_s=-10_000).position_s == 0
    assert rules.seek(s, later(10), LENGTH, position_s=99_999).position_s == LENGTH
    jumped = rules.seek(s, later(10), LENGTH, position_s=1200)
    assert jumped.playing and rules.position_at(jumped, later(20), LENGTH) == pytest.approx(1210)
    with pytest.raises(InvalidInput):
        rules.seek(s, later(10), LENGTH)
    with pytest.raises(InvalidInput):
        rules.seek(s, later(10), LENGTH, position_s=1, delta_s=1)


def test_volume_level_delta_and_mute() -> None:
    s = rules.start(MOVIE, AT, person=None)
    assert rules.set_volume(s, AT, level=20).volume == 20
    assert rules.set_volume(s, AT, delta=70).volume == 100  # clamped
    assert rules.set_volume(s, AT, delta=-80).volume == 0
    muted = rules.set_volume(s, AT, mute=True)
    assert muted.muted and muted.volume == 50
    assert not rules.set_volume(muted, AT, delta=10).muted  # turning it up means "I want to hear it"
    assert rules.set_volume(muted, AT, level=30, mute=True).muted
    assert rules.set_volume(muted, AT, mute=False).volume == 50
    with pytest.raises(InvalidInput):
        rules.set_volume(s, AT, level=10, delta=10)
    louder = rules.set_volume(s, later(90), LENGTH, delta=5)  # marks the session used, same position
    assert louder.updated_at == later(90) and rules.position_at(louder, later(100), LENGTH) == pytest.approx(100)


def test_handoff_keeps_the_position_and_plays() -> None:
    paused = rules.pause(rules.start(MOVIE, AT, person="minji", position_s=600), later(30), LENGTH)
    there = rules.moved(paused, later(100), LENGTH)
    assert there.playing and there.position_s == pytest.approx(630) and there.person == "minji"


def _home() -> Home:
    return Home.model_validate({
        "id": "h", "name": "H", "people": [{"id": "minji", "name": "Minji"}],
        "xr_devices": [{"id": "glasses-minji", "kind": "glasses", "owner": "minji"}],
        "rooms": [{"id": "living", "name": "Living", "floor": [[0, 0], [4, 0], [4, 4], [0, 4]],
                   "devices": [{"id": "tv", "kind": "tv", "name": "TV"},
                               {"id": "lamp", "kind": "light", "name": "Lamp"}]}]})


def test_targets_and_where_sessions_play() -> None:
    home = _home()
    assert rules.find_target(home, "tv").kind == "tv"
    assert rules.find_target(home, "glasses-minji").name == "Minji's glasses"
    with pytest.raises(InvalidInput, match="light"):
        rules.find_target(home, "lamp")
    with pytest.raises(NotFound, match="tv, glasses-minji"):
        rules.find_target(home, "p9")

    tv = rules.find_target(home, "tv")
    rules.put(home, tv, rules.start(MOVIE, AT, person="minji"))
    assert home.device_state("tv") == DeviceState(on=True, playing=MOVIE)  # a TV that plays is on
    stopped = rules.stop(home, tv)
    assert stopped is not None and stopped.content == MOVIE
    assert "tv" not in home.playback and home.device_state("tv") == DeviceState(on=True)  # stays on


def test_a_tv_showing_something_counts_as_a_session() -> None:
    home = _home()
    home.device("tv")[1].state = DeviceState(on=True, playing="channel:news24.kr")
    assert rules.sessions(home)["tv"] == Playback(content="channel:news24.kr", playing=True)


def test_resume_points_and_continue_watching() -> None:
    assert not rules.in_progress(60, LENGTH) and rules.in_progress(61, LENGTH)
    assert not rules.in_progress(0.95 * LENGTH, LENGTH) and rules.in_progress(0.95 * LENGTH - 1, LENGTH)
    assert rules.in_progress(10_000, None)
    point = rules.ResumePoint(MOVIE, 1200, AT)
    assert rules.resume_from(point, LENGTH) == 1200
    assert rules.resume_from(rules.ResumePoint(MOVIE, 30, AT), LENGTH) == 0
    assert rules.resume_from(None, LENGTH) == 0

    points = [rules.ResumePoint("vod:a", 600, later(1)), rules.ResumePoint("vod:b", 700, later(5)),
              rules.ResumePoint("vod:done", 990, later(9)), rules.ResumePoint("vod:barely", 20, later(9)),
              rules.ResumePoint("vod:hidden", 600, later(9))]
    titles = {"vod:a": ("A", 1000.0), "vod:b": ("B", None), "vod:done": ("Done", 1000.0),
              "vod:barely": ("Barely", 1000.0)}  # vod:hidden is above the person's limit
    items = rules.continue_watching(points, titles)
    assert [i.content for i in items] == ["vod:b", "vod:a"]  # most recent first
    assert items[1].progress == pytest.approx(0.6) and items[0].progress is None


def test_format_position() -> None:
    assert rules.format_position(0) == "0:00"
    assert rules.format_position(600) == "10:00"
    assert rules.format_position(3723.4) == "1:02:03"
