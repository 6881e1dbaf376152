"""Watch-group actions in the twin: start, join, leave, end, and playback that follows the group."""

from __future__ import annotations

import pytest

from twinspace.actions.registry import Caller
from twinspace.errors import InvalidInput, NotFound
from twinspace.hub import Hub


def group_of(hub: Hub) -> dict[str, str | None]:
    return {t: s.group for t, s in hub.home("demo-loft").playback.items()}


def test_start_join_leave_end(hub: Hub, owner: Caller, playing: str) -> None:
    started = hub.apply("demo-loft", "cowatch.start", {"target": playing, "with": ["tv-lounge"]}, caller=owner)
    assert started.result == {"group": "g1", "targets": [playing, "tv-lounge"]}
    tv = next(d for _, d in hub.home("demo-loft").devices() if d.id == "tv-lounge")
    assert tv.state.on and tv.state.playing == "vod:big-wave"

    hub.apply("demo-loft", "playback.pause", {"target": "tv-lounge"}, caller=owner)
    hub.apply("demo-loft", "playback.seek", {"target": playing, "position_s": 42}, caller=owner)
    sessions = hub.home("demo-loft").playback
    assert [(s.playing, s.position_s) for s in sessions.values()] == [(False, 42.0), (False, 42.0)]

    hub.apply("demo-loft", "cowatch.join", {"group": "g1", "target": "speaker-lounge"}, caller=owner)
    assert group_of(hub) == {playing: "g1", "tv-lounge": "g1", "speaker-lounge": "g1"}
    hub.apply("demo-loft", "cowatch.leave", {"target": "speaker-lounge"}, caller=owner)
    assert group_of(hub)["speaker-lounge"] is None and group_of(hub)[playing] == "g1"

    ended = hub.apply("demo-loft", "cowatch.end", {}, caller=owner)
    assert ended.result["group"] == "g1"
    assert set(group_of(hub).values()) == {None}
    hub.apply("demo-loft", "playback.resume", {"target": "tv-lounge"}, caller=owner)
    assert not hub.home("demo-loft").playback[playing].playing  # no longer follows


def test_a_group_of_two_dissolves_when_one_leaves(hub: Hub, owner: Caller, playing: str) -> None:
    hub.apply("demo-loft", "cowatch.start", {"target": playing, "with": ["tv-lounge"]}, caller=owner)
    hub.apply("demo-loft", "cowatch.leave", {"target": playing}, caller=owner)
    assert set(group_of(hub).values()) == {None}


def test_mistakes_are_explained_and_change_nothing(hub: Hub, owner: Caller, playing: str) -> None:
    before = hub.home("demo-loft")
    with pytest.raises(NotFound, match="no watch group 'g7'"):
        hub.apply("demo-loft", "cowatch.join", {"group": "g7", "target": "tv-lounge"}, caller=owner)
    with pytest.raises(InvalidInput, match="not watching together"):
        hub.apply("demo-loft", "cowatch.leave", {"target": playing}, caller=owner)
    with pytest.raises(InvalidInput, match="nothing is watched together"):
        hub.apply("demo-loft", "cowatch.end", {}, caller=owner)
    with pytest.raises(NotFound, match="nothing called 'moon'"):
        hub.apply("demo-loft", "cowatch.start", {"target": playing, "with": ["moon"]}, caller=owner)
    with pytest.raises(InvalidInput, match="with"):
        hub.apply("demo-loft", "cowatch.start", {"target": playing, "with": []}, caller=owner)
    assert hub.home("demo-loft") == before
