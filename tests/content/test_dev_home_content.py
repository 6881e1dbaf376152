"""Acceptance on the shared dev home: the answers the assistant evaluation relies on."""

import json
from datetime import datetime
from types import SimpleNamespace

import pytest
from content_helpers import DEV_HOME, KST

from twinspace.errors import FormatError, NotAllowed

pytestmark = pytest.mark.skipif(not (DEV_HOME / "home.json").exists(), reason="shared dev-home fixture not present")
HOME = "park-family"
AT = datetime(2026, 11, 28, 20, 5, tzinfo=KST)


@pytest.fixture
def park(catalog):
    assert catalog.import_lineup(HOME, DEV_HOME / "channels.m3u").channels == 10
    report = catalog.import_guide(HOME, DEV_HOME / "guide.xml")
    assert (report.programmes, report.channels, report.skipped.total) == (545, 10, 0)
    catalog.import_vod(HOME, DEV_HOME / "vod.json")
    catalog.set_apps(HOME, json.loads((DEV_HOME / "home.json").read_text())["content"]["apps"])
    return catalog


def test_whats_on_sports_one_at_2005(park):
    [listing] = park.at(HOME, AT, channel="Sports One")
    assert listing.programme.title == "Premier League Highlights"
    assert listing.channel.ref == "channel:sportsone.kr"


def test_the_kids_channel_shows_robot_town(park):
    assert "Robot Town" in [x.programme.title for x in park.at(HOME, AT, channel="Kids TV")]
    assert "Robot Town" in [x.programme.title for x in park.now(HOME, category="kids")]


def test_football_finds_the_live_match_first(park):
    first = park.search(HOME, "football", at=AT)[0]
    assert first.live and first.channel_ref == "channel:sportsone.kr"
    assert first.title == "Premier League Highlights"
    for typo in ("footbal", "foot all"):
        assert park.search(HOME, typo, at=AT)[0].channel_ref == "channel:sportsone.kr"


def test_ocean_finds_deep_blue_planet(park):
    assert "Deep Blue Planet" in [h.title for h in park.search(HOME, "ocean", at=AT)]
    assert "Deep Blue Planet" in [h.title for h in park.search(HOME, "something about the ocean", at=AT)[:3]]


def test_joon_rated_7_never_sees_a_19_title(park):
    assert "Midnight Case Files" not in [h.title for h in park.search(HOME, "midnight case files", max_rating="7")]
    assert "Midnight Case Files" in [h.title for h in park.search(HOME, "midnight case files")]
    with pytest.raises(NotAllowed):
        park.resolve(HOME, "vod:midnight-case", max_rating="7")
    assert all(x.programme.rating in ("ALL", "7") for x in park.now(HOME, max_rating="7"))
    assert {t.rating for t in park.vod_titles(HOME, max_rating="7")} == {"ALL"}
    assert "cinemaplus.kr" not in [x.channel.id for x in park.at(HOME, AT, max_rating="7")]


def test_a_whole_home_imports_in_one_step(catalog):
    raw = json.loads((DEV_HOME / "home.json").read_text())
    home = SimpleNamespace(id=HOME, content=SimpleNamespace(**raw["content"]))  # as the home model has it
    files = {name: (DEV_HOME / name).read_bytes() for name in ("channels.m3u", "guide.xml", "vod.json")}
    reports = catalog.import_home_content(home, files)
    assert [r.kind for r in reports] == ["lineup", "guide", "vod"]
    assert [a.id for a in catalog.apps(HOME)] == ["youtube", "netflix", "spotify", "browser"]
    broken = {**files, "vod.json": b"[{}]"}
    catalog.forget(HOME)
    with pytest.raises(FormatError, match=r"vod.json: \[0\].id"):
        catalog.import_home_content(home, broken)
    assert catalog.channels(HOME) == [] and catalog.apps(HOME) == []  # nothing half-imported
