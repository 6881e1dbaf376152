"""guide.now, content.search, app.launch and assistant.reply on the dev home."""

from __future__ import annotations

import pytest
from playback_helpers import JOON, MINJI, PARK, act

from twinspace.actions import registry
from twinspace.errors import InvalidInput, NotFound


def test_whats_on_sports_one_at_2005(park) -> None:
    out = act(park, "guide.now", {"channel": "Sports One", "at": "2026-11-28T20:05:00+09:00"})
    assert out.message == "Sports One: Premier League Highlights (19:30–20:30)"
    assert out.args == {"channel": "sportsone.kr", "at": "2026-11-28T20:05:00+09:00"}
    [listing] = out.result["listings"]
    assert listing["programme"]["title"] == "Premier League Highlights"
    assert listing["programme"]["start"] == "2026-11-28T19:30:00+09:00"
    assert listing["channel"]["ref"] == "channel:sportsone.kr"


def test_guide_now_defaults_to_now_and_filters_by_category(park, clock) -> None:
    out = act(park, "guide.now", {"channel": "sportsone.kr"})
    assert "Premier League Highlights" in out.message
    out = act(park, "guide.now", {"category": "Kids"})
    assert out.message == "Kids TV: Robot Town (20:00–20:30)"
    out = act(park, "guide.now", {})
    assert len(out.result["listings"]) >= 8 and out.changed is False


def test_guide_now_shows_only_what_the_person_may_see(park) -> None:
    minji = act(park, "guide.now", {"channel": "kdrama.kr"}, MINJI)
    assert "Hospital Nights" in minji.message  # rated 15; Minji's limit is 18
    joon = act(park, "guide.now", {"channel": "kdrama.kr"}, JOON)
    assert joon.result["listings"] == [] and joon.message.startswith("Nothing is listed on K-Drama Channel")
    everything = act(park, "guide.now", {}, JOON)
    assert {entry["channel"]["id"] for entry in everything.result["listings"]}.isdisjoint({"kdrama.kr", "cinemaplus.kr"})


def test_guide_now_needs_a_time_with_an_offset_and_a_real_channel(park) -> None:
    version = park.version(PARK)
    with pytest.raises(InvalidInput, match="UTC offset"):
        act(park, "guide.now", {"at": "2026-11-28T20:05:00"})
    with pytest.raises(NotFound, match="Sports One"):
        act(park, "guide.now", {"channel": "Sport One1"})
    assert park.version(PARK) == version


def test_search_finds_and_filters(park) -> None:
    out = act(park, "content.search", {"query": "ocean"})
    refs = [hit["ref"] for hit in out.result["hits"]]
    assert "vod:deep-blue" in refs and "Deep Blue Planet" in out.message
    assert out.changed is False and out.args == {"query": "ocean"}
    assert "vod:harbor-lights" in [h["ref"] for h in act(park, "content.search", {"query": "harbor"}).result["hits"]]
    joon = act(park, "content.search", {"query": "harbor"}, JOON)
    assert "vod:harbor-lights" not in [h["ref"] for h in joon.result["hits"]]
    apps = act(park, "content.search", {"query": "netflix", "kind": "app"})
    assert [h["ref"] for h in apps.result["hits"]] == ["app:netflix"]
    with pytest.raises(InvalidInput, match="kind"):
        act(park, "content.search", {"query": "x", "kind": "podcast"})


def test_app_launch_opens_the_app_on_the_tv(park, clock) -> None:
    act(park, "playback.play", {"content": "vod:starfall", "target": "tv-living"})
    act(park, "playback.seek", {"target": "tv-living", "position_s": 900})
    out = act(park, "app.launch", {"app": "netflix", "device": "tv-living"})
    assert out.args == {"app": "netflix", "device": "tv-living"} and out.message == "Opened Netflix on Living room TV"
    home = park.home(PARK)
    state = home.device_state("tv-living")
    assert state.on and state.app == "netflix" and state.playing is None and "tv-living" not in home.playback
    assert park.services.resume_point(PARK, "minji", "vod:starfall").position_s == pytest.approx(900)
    assert act(park, "app.launch", {"app": "app:netflix", "device": "tv-living"}).changed is False


def test_app_launch_refusals(park) -> None:
    with pytest.raises(NotFound, match="youtube, netflix"):
        act(park, "app.launch", {"app": "tiktok", "device": "tv-living"})
    with pytest.raises(InvalidInput, match="panel.open"):
        act(park, "app.launch", {"app": "spotify", "device": "lamp-corner"})
    with pytest.raises(NotFound):
        act(park, "app.launch", {"app": "spotify", "device": "tv-kitchen"})


def test_assistant_reply_says_and_changes_nothing(park) -> None:
    version = park.version(PARK)
    out = act(park, "assistant.reply", {"text": "Premier League Highlights is on Sports One."})
    assert out.message == "Premier League Highlights is on Sports One." and out.changed is False
    assert park.version(PARK) == version


def test_the_public_contract() -> None:
    """Names and arguments as spec/actions.md writes them."""
    expected = {
        "playback.play": {"content", "target"}, "playback.pause": {"target"}, "playback.resume": {"target"},
        "playback.seek": {"target", "position_s", "delta_s"}, "playback.volume": {"target", "level", "delta", "mute"},
        "playback.handoff": {"target", "to"}, "app.launch": {"app", "device"},
        "guide.now": {"channel", "category", "at"}, "content.search": {"query", "kind"}, "assistant.reply": {"text"},
    }
    for name, fields in expected.items():
        spec = registry.get(name)
        assert set(spec.schema()["properties"]) == fields, name
        assert spec.read_only == (name in {"guide.now", "content.search", "assistant.reply"})
