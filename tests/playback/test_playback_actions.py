"""The playback.* actions on the dev home: resolved arguments, timing, targets, ratings, handoff."""

from __future__ import annotations

import pytest
from playback_helpers import ALEX, JOON, LOFT, PARK, SAM, act, open_panels, position

from twinspace.errors import InvalidInput, NotAllowed, NotFound
from twinspace.home.homefile import HomeBundle
from twinspace.home.model import DeviceState

# --- play, pause, resume, seek, volume -------------------------------------------------------

def test_playing_on_the_tv_switches_it_on(park) -> None:
    out = act(park, "playback.play", {"content": "vod:harbor-lights", "target": "tv-living"})
    assert out.args == {"content": "vod:harbor-lights", "target": "tv-living"}
    assert out.message == "Playing Harbor Lights on Living room TV"
    home = park.home(PARK)
    assert home.device_state("tv-living") == DeviceState(on=True, playing="vod:harbor-lights")
    assert home.playback["tv-living"].person == "minji" and home.playback["tv-living"].playing


def test_play_switches_a_panel_to_other_content(park) -> None:
    [p1] = open_panels(park, "channel:news24.kr")
    out = act(park, "playback.play", {"content": "channel:sportstwo.kr", "target": p1})
    assert out.args == {"content": "channel:sportstwo.kr", "target": "p1"}
    assert "Sports Two (now: Baseball Tonight)" in out.message
    assert park.home(PARK).panel("p1").content == "channel:sportstwo.kr"


def test_pause_resume_seek_and_volume_follow_the_clock(park, clock) -> None:
    p1, p2 = open_panels(park, "channel:news24.kr", "vod:starfall")
    act(park, "playback.seek", {"target": p2, "position_s": 600})
    clock.advance(30)
    assert position(park, p2) == pytest.approx(630)

    out = act(park, "playback.seek", {"target": p2, "delta_s": -120})
    assert out.args == {"target": "p2", "delta_s": -120}
    assert position(park, p2) == pytest.approx(510)

    out = act(park, "playback.pause", {}, focus=p2)
    assert out.args == {"target": "p2"} and out.message == "Paused Starfall on panel p2 at 8:30"
    clock.advance(300)
    assert position(park, p2) == pytest.approx(510)  # paused: time passes, the film does not
    assert act(park, "playback.pause", {"target": p2}).changed is False

    out = act(park, "playback.resume", {})  # the only paused session
    assert out.args == {"target": "p2"}
    clock.advance(15)
    assert position(park, p2) == pytest.approx(525)

    out = act(park, "playback.volume", {"target": p1, "level": 20})
    assert out.args == {"target": "p1", "level": 20} and park.home(PARK).playback[p1].volume == 20
    out = act(park, "playback.volume", {"target": p2, "mute": True})
    assert out.args == {"target": "p2", "mute": True} and park.home(PARK).playback[p2].muted
    act(park, "playback.volume", {"target": p2, "delta": 10})
    assert park.home(PARK).playback[p2].volume == 60 and not park.home(PARK).playback[p2].muted


def test_seek_finds_the_on_demand_title_and_refuses_live_tv(park) -> None:
    p1, p2 = open_panels(park, "channel:news24.kr", "vod:starfall")
    assert act(park, "playback.seek", {"delta_s": 30}).args == {"target": "p2", "delta_s": 30}
    with pytest.raises(InvalidInput, match="live TV"):
        act(park, "playback.seek", {"target": p1, "delta_s": 30})


@pytest.mark.parametrize("args, message", [
    ({"target": "p1"}, "give either position_s"),
    ({"position_s": 10, "delta_s": 5}, "give either position_s"),
])
def test_seek_needs_one_position(park, args, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        act(park, "playback.seek", args)


def test_volume_arguments_are_checked(park) -> None:
    with pytest.raises(InvalidInput, match="level"):
        act(park, "playback.volume", {"level": 120})
    with pytest.raises(InvalidInput, match="give level"):
        act(park, "playback.volume", {})


def test_apps_are_not_played(park) -> None:
    with pytest.raises(InvalidInput, match="app.launch"):
        act(park, "playback.play", {"content": "app:netflix", "target": "tv-living"})


def test_a_programme_plays_only_while_it_airs(park) -> None:
    with pytest.raises(InvalidInput, match="not on now"):
        act(park, "playback.play", {"content": "programme:sportsone.kr/20261128113000", "target": "tv-living"})
    out = act(park, "playback.play", {"content": "programme:sportsone.kr/20261128103000", "target": "tv-living"})
    assert "Premier League Highlights" in out.message


def test_unknown_targets_and_content(park) -> None:
    with pytest.raises(NotFound, match="tv-living"):
        act(park, "playback.play", {"content": "vod:starfall", "target": "tv-kitchen"})
    with pytest.raises(InvalidInput, match="light"):
        act(park, "playback.play", {"content": "vod:starfall", "target": "lamp-corner"})
    with pytest.raises(NotFound, match="starfal"):
        act(park, "playback.play", {"content": "vod:starfal", "target": "tv-living"})


# --- which target, when none is named ---------------------------------------------------------

def test_the_focused_panel_wins(park) -> None:
    open_panels(park, "channel:news24.kr", "vod:starfall")
    assert act(park, "playback.pause", {}, focus="p1").args == {"target": "p1"}


def test_the_only_playing_panel(park) -> None:
    open_panels(park, "channel:news24.kr")
    assert act(park, "playback.volume", {"delta": 10}).args == {"target": "p1", "delta": 10}


def test_the_session_the_caller_used_last(park, clock) -> None:
    open_panels(park, "channel:news24.kr", "vod:starfall")  # opened at the same moment: no "last" yet
    clock.advance(60)
    act(park, "playback.volume", {"target": "p1", "level": 30})
    assert act(park, "playback.pause", {}).args == {"target": "p1"}
    clock.advance(60)
    act(park, "playback.seek", {"target": "p2", "position_s": 100})
    act(park, "playback.resume", {"target": "p1"})
    clock.advance(60)
    act(park, "playback.seek", {"target": "p2", "delta_s": 10})
    assert act(park, "playback.volume", {"delta": -10}).args == {"target": "p2", "delta": -10}


def test_several_playing_is_a_question(park) -> None:
    open_panels(park, "channel:news24.kr", "vod:tiny-chef", caller=JOON)
    with pytest.raises(InvalidInput) as asked:
        act(park, "playback.handoff", {"to": "tv-living"})  # Minji started neither: no "last used"
    assert "p1 (News 24)" in asked.value.detail and "p2 (The Tiny Chef)" in asked.value.detail
    assert "target" in asked.value.detail
    assert act(park, "playback.handoff", {"target": "p2", "to": "tv-living"}).args == {"target": "p2",
                                                                                        "to": "tv-living"}


def test_nothing_playing(park) -> None:
    with pytest.raises(InvalidInput, match="nothing is playing to pause"):
        act(park, "playback.pause", {})
    open_panels(park, "vod:starfall")
    with pytest.raises(InvalidInput, match="nothing is paused to resume"):
        act(park, "playback.resume", {})
    with pytest.raises(InvalidInput, match="nothing is playing on Living room TV"):
        act(park, "playback.pause", {"target": "tv-living"})


# --- ratings -------------------------------------------------------------------------------

def test_joon_cannot_start_a_19_rated_title(park) -> None:
    version = park.version(PARK)
    with pytest.raises(NotAllowed) as refused:
        act(park, "playback.play", {"content": "vod:midnight-case", "target": "quest-joon"}, JOON)
    assert refused.value.detail == "Midnight Case Files is rated 19, above Joon's limit of 7"
    assert park.version(PARK) == version and park.home(PARK).playback == {}


def test_a_channel_is_judged_by_what_airs_on_it_then(park, clock) -> None:
    with pytest.raises(NotAllowed, match=r"Cinema Plus \(now: Night Runner\) is rated 19, above Joon's limit of 7"):
        act(park, "playback.play", {"content": "channel:cinemaplus.kr", "target": "tv-living"}, JOON)
    clock.advance(20 * 60)  # 20:25: Paper Moon Street, rated ALL
    out = act(park, "playback.play", {"content": "channel:cinemaplus.kr", "target": "tv-living"}, JOON)
    assert "Paper Moon Street" in out.message


def test_handoff_to_a_childs_headset_applies_their_limit(park) -> None:
    act(park, "playback.play", {"content": "vod:harbor-lights", "target": "tv-living"})
    with pytest.raises(NotAllowed, match="Harbor Lights is rated 15, above Joon's limit of 7"):
        act(park, "playback.handoff", {"target": "tv-living", "to": "quest-joon"})
    with pytest.raises(NotAllowed, match="above Joon's limit"):
        act(park, "playback.handoff", {"target": "tv-living", "to": "quest-joon"}, JOON)
    assert park.home(PARK).playback["tv-living"].content == "vod:harbor-lights"


def test_sam_is_held_to_12_in_the_demo_loft(loft) -> None:
    with pytest.raises(NotAllowed, match="Paper Moon City is rated 15, above Sam's limit of 12"):
        act(loft, "playback.play", {"content": "vod:paper-moon-city", "target": "quest-sam"}, SAM)
    act(loft, "playback.play", {"content": "vod:big-wave", "target": "quest-sam"}, SAM)
    act(loft, "playback.play", {"content": "vod:paper-moon-city", "target": "tv-lounge"}, ALEX)
    with pytest.raises(NotAllowed, match="Sam's limit of 12"):
        act(loft, "playback.handoff", {"target": "tv-lounge", "to": "quest-sam"}, SAM)
    assert loft.home(LOFT).playback["quest-sam"].content == "vod:big-wave"


# --- handoff ---------------------------------------------------------------------------------

def test_panel_to_tv_and_back_resumes_within_a_second(park, clock) -> None:
    [p1] = open_panels(park, "vod:starfall")
    act(park, "playback.seek", {"target": p1, "position_s": 600})
    clock.advance(42.3)
    out = act(park, "playback.handoff", {"to": "tv-living"})
    assert out.args == {"target": "p1", "to": "tv-living"}
    assert out.message == "Moved Starfall from panel p1 to Living room TV at 10:42"
    home = park.home(PARK)
    assert home.device_state("tv-living") == DeviceState(on=True, playing="vod:starfall")
    assert p1 not in home.playback  # the source stops
    clock.advance(17.8)
    act(park, "playback.handoff", {"target": "tv-living", "to": p1})
    assert abs(position(park, p1) - (600 + 42.3 + 17.8)) < 1
    assert park.home(PARK).device_state("tv-living") == DeviceState(on=True)
    clock.advance(5)
    assert abs(position(park, p1) - (600 + 42.3 + 17.8 + 5)) < 1  # and it plays on


def test_a_paused_title_keeps_its_place_when_moved(park, clock) -> None:
    [p1] = open_panels(park, "vod:starfall")
    act(park, "playback.seek", {"target": p1, "position_s": 1200})
    act(park, "playback.pause", {"target": p1})
    clock.advance(600)
    act(park, "playback.handoff", {"target": p1, "to": "glasses-minji"})
    assert position(park, "glasses-minji") == pytest.approx(1200)
    assert park.home(PARK).playback["glasses-minji"].playing


def test_live_handoff_keeps_the_channel(park, clock) -> None:
    [p1] = open_panels(park, "channel:news24.kr")
    clock.advance(125)
    out = act(park, "playback.handoff", {"target": p1, "to": "glasses-minji"})
    assert out.args == {"target": "p1", "to": "glasses-minji"}
    moved = park.home(PARK).playback["glasses-minji"]
    assert moved.content == "channel:news24.kr" and moved.playing and position(park, "glasses-minji") is None
    assert "Minji's glasses" in out.message


def test_what_the_tv_shows_moves_to_the_headset(park, clock) -> None:
    # The TV's state says it shows the news (a bridge reported it), with no session behind it.
    bundle = HomeBundle(park.home(PARK).model_copy(deep=True), park.store.files(PARK))
    bundle.home.device("tv-living")[1].state = DeviceState(on=True, playing="channel:news24.kr")
    park.import_bundle(bundle, replace=True)
    out = act(park, "playback.handoff", {"to": "quest-minji"})
    assert out.args == {"target": "tv-living", "to": "quest-minji"}
    home = park.home(PARK)
    assert home.playback["quest-minji"].content == "channel:news24.kr"
    assert home.device_state("tv-living").playing is None and "tv-living" not in home.playback


def test_handoff_to_where_it_already_plays(park) -> None:
    act(park, "playback.play", {"content": "vod:starfall", "target": "tv-living"})
    with pytest.raises(InvalidInput, match="already playing on Living room TV"):
        act(park, "playback.handoff", {"to": "tv-living"})


# --- resume points and continue watching ----------------------------------------------------

def test_playing_a_title_again_starts_where_the_person_left_it(park, clock) -> None:
    [p1] = open_panels(park, "vod:starfall")
    act(park, "playback.seek", {"target": p1, "position_s": 1200})
    clock.advance(30)
    act(park, "playback.pause", {"target": p1})
    act(park, "panel.close", {"panel": p1})
    out = act(park, "playback.play", {"content": "vod:starfall", "target": "tv-living"})
    assert out.message == "Playing Starfall on Living room TV from 20:30"
    assert position(park, "tv-living") == pytest.approx(1230)
    out = act(park, "playback.play", {"content": "vod:tiny-chef", "target": "quest-joon"}, JOON)
    assert position(park, "quest-joon") == 0  # Joon has no resume point; Minji's are hers


def test_continue_watching_lists_titles_in_progress_most_recent_first(park, clock) -> None:
    act(park, "playback.play", {"content": "vod:starfall", "target": "tv-living"})
    act(park, "playback.seek", {"target": "tv-living", "position_s": 3000})
    clock.advance(60)
    act(park, "playback.play", {"content": "vod:deep-blue", "target": "tv-living"})  # remembers Starfall
    act(park, "playback.seek", {"target": "tv-living", "position_s": 2990})  # 99 %: watched
    clock.advance(60)
    act(park, "playback.play", {"content": "vod:tiny-chef", "target": "tv-living"})
    act(park, "playback.seek", {"target": "tv-living", "position_s": 900})
    clock.advance(60)
    items = park.services.continue_watching(park.home(PARK), "minji", clock())
    assert [(i.content, round(i.position_s)) for i in items] == [("vod:tiny-chef", 960), ("vod:starfall", 3060)]
    assert park.services.continue_watching(park.home(PARK), "joon", clock()) == []
