"""The content services on PostgreSQL against SQLite: one content session, the same results.

Both hubs import the shared dev home (../shared/fixtures/dev-home: ten channels, a two-day
guide, on-demand titles, apps) and then go through the same steps at the same clock: the
guide at fixed times (now, next, by channel name, by category, within a rating limit), a
channel's title by what airs on it, search, a film played, paused, resumed, replaced by live
TV and played again from its resume point, continue watching, and a TV reporting new apps.
Every answer must be the same on both stores.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

from support import shared_path
from twinspace.actions.registry import Caller, Outcome
from twinspace.content.models import App
from twinspace.content.services import ContentServices
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.store.postgres import PostgresStore
from twinspace.store.sqlite import Store

DEV_HOME = shared_path("fixtures", "dev-home")
KST = timezone(timedelta(hours=9))
START = datetime(2026, 11, 28, 20, 5, tzinfo=KST)
GUIDE_TIMES = [START, datetime(2026, 11, 29, 7, 30, tzinfo=KST), datetime(2026, 11, 28, 23, 59, 59, tzinfo=KST),
               datetime(2026, 12, 5, 12, 0, tzinfo=KST)]  # the last is past the guide: nothing airs
PARK = "park-family"
MINJI = Caller(PARK, "minji", "quest-minji")  # rated 18
JOON = Caller(PARK, "joon", "quest-joon")  # rated 7

pytestmark = pytest.mark.skipif(not (DEV_HOME / "home.json").exists(), reason="shared dev-home fixture not present")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def content_session(hub: Hub, clock: Clock) -> dict[str, Any]:
    """Everything a person could see of the content services in one evening, as plain values."""
    services: ContentServices = hub.services
    catalog = services.catalog
    seen: dict[str, Any] = {}

    def act(name: str, args: dict[str, Any], caller: Caller = MINJI) -> Outcome:
        outcome = hub.apply(PARK, name, args, caller=caller)
        assert isinstance(outcome, Outcome), outcome
        seen.setdefault("messages", []).append(outcome.message)
        return outcome

    def later(seconds: float) -> None:
        clock.now += timedelta(seconds=seconds)

    hub.import_bundle(read_home_dir(DEV_HOME))
    seen["report"] = services.last_report
    seen["channels"] = catalog.channels(PARK)
    for at in GUIDE_TIMES:
        key = at.isoformat()
        seen[f"now_next {key}"] = catalog.now_next(PARK, at)
        seen[f"next {key}"] = catalog.next(PARK, at)
        seen[f"kids {key}"] = catalog.at(PARK, at, category="kids")  # a channel group
        seen[f"cooking {key}"] = catalog.at(PARK, at, category="Cooking")  # only in programmes' categories
        seen[f"rated 7 {key}"] = catalog.now_next(PARK, at, max_rating="7")
    seen["by name"] = catalog.at(PARK, START, channel="Sports One")
    seen["by number"] = catalog.now_next(PARK, START, channel=catalog.channels(PARK)[2].number or "")
    seen["channel title"] = services.resolve(PARK, "channel:sportsone.kr", at=START).title
    seen["programme"] = catalog.programme(PARK, seen["by name"][0].programme.id)
    seen["vod"] = catalog.vod_titles(PARK), catalog.vod_titles(PARK, max_rating="7")
    act("guide.now", {"channel": "Sports One", "at": START.isoformat()})
    act("guide.now", {"category": "Kids"})
    act("guide.now", {}, JOON)
    seen["search"] = [[h["ref"] for h in act("content.search", {"query": q}, caller).result["hits"]]
                      for q, caller in (("ocean", MINJI), ("harbor", JOON), ("netflix", MINJI))]

    # A film on the living room TV: played, paused, resumed, replaced by live TV, played again.
    act("playback.play", {"content": "vod:starfall", "target": "tv-living"})
    later(600)
    act("playback.pause", {"target": "tv-living"})
    later(300)
    act("playback.resume", {"target": "tv-living"})
    later(125)
    seen["continue while playing"] = services.continue_watching(hub.home(PARK), "minji", clock.now)
    act("playback.play", {"content": "channel:news24.kr", "target": "tv-living"})  # keeps her place in the film
    seen["resume point"] = services.resume_point(PARK, "minji", "vod:starfall")
    later(3600)
    act("playback.play", {"content": "vod:starfall", "target": "tv-living"})  # from where she left it
    seen["session"] = hub.home(PARK).playback["tv-living"]
    later(30)
    act("playback.pause", {"target": "tv-living"})
    act("playback.play", {"content": "vod:tiny-chef", "target": "tv-living"}, JOON)
    later(400)
    act("playback.pause", {"target": "tv-living"}, JOON)
    seen["continue"] = {p: services.continue_watching(hub.home(PARK), p, clock.now) for p in ("minji", "joon")}

    # The TV's bridge reports new apps: the catalogue serves those from now on.
    services.set_apps(PARK, [App(id="netflix", name="Netflix"), App(id="wavve", name="Wavve")])
    seen["apps"] = catalog.apps(PARK)
    seen["app search"] = [h.ref for h in catalog.search(PARK, "wavve", at=START)]
    return seen


def run(make_store: Callable[[], Any]) -> dict[str, Any]:
    store = make_store()
    clock = Clock(START)
    services = ContentServices(store, clock=clock)
    try:
        return content_session(Hub(store, services=services, clock=clock), clock)
    finally:
        services.close()
        store.close()


def test_a_content_session_gives_the_same_results_on_both_stores(pg_url: str, tmp_path: Path) -> None:
    lite = run(lambda: Store(tmp_path / "lite" / "twinspace.db"))
    pg = run(lambda: PostgresStore(pg_url, path=tmp_path / "pg" / "twinspace.db"))
    assert lite.keys() == pg.keys()
    differ = [key for key in lite if lite[key] != pg[key]]
    assert not differ, {key: (lite[key], pg[key]) for key in differ}
    # ...and the session says something: the guide and playback answered, not only agreed.
    assert lite["by name"][0].programme.title == "Premier League Highlights"
    assert any(nn.now for nn in lite[f"now_next {START.isoformat()}"])
    assert not any(nn.now for nn in lite[f"now_next {GUIDE_TIMES[-1].isoformat()}"])
    assert lite[f"kids {START.isoformat()}"]
    assert any(lite[f"cooking {at.isoformat()}"] for at in GUIDE_TIMES)
    assert lite["resume point"].position_s == pytest.approx(725)
    assert lite["session"].position_s == pytest.approx(725)  # played again from its resume point
    assert [i.content for i in lite["continue"]["minji"]] == ["vod:starfall"]
    assert [a.id for a in lite["apps"]] == ["netflix", "wavve"] and lite["app search"] == ["app:wavve"]
