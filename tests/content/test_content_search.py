"""Unified search: relevance, time, typos, kinds and rating limits."""

from datetime import datetime

import pytest
from content_helpers import KST, guide, programme

from twinspace.errors import InvalidInput

HOME = "home-1"
AT = datetime(2026, 11, 28, 20, 5, tzinfo=KST)
RATED = '<category>{}</category><rating system="KR"><value>{}</value></rating>'
LINEUP = "#EXTM3U\n" + "".join(f'#EXTINF:-1 tvg-id="{i}" group-title="{g}",{n}\nhttp://{i}\n' for i, n, g in [
    ("live", "Live Sport", "Sports"), ("later", "Later Sport", "Sports"), ("past", "Past Sport", "Sports"),
    ("football.tv", "Football TV", "Sports"), ("adult", "Late Night", "Movies")])


@pytest.fixture
def home(catalog):
    catalog.import_lineup(HOME, LINEUP.encode(), name="channels.m3u")
    catalog.import_guide(HOME, guide(
        programme("past", "20261128100000 +0900", "20261128120000 +0900", "Football Classics", RATED.format("Football", "ALL")),
        programme("later", "20261128220000 +0900", "20261129000000 +0900", "Football Tonight", RATED.format("Football", "ALL")),
        programme("live", "20261128200000 +0900", "20261128220000 +0900", "Football Live", RATED.format("Football", "ALL")),
        programme("adult", "20261128200000 +0900", "20261128220000 +0900", "Ocean Noir", RATED.format("Thriller", "19")),
        programme("later", "20261129000000 +0900", "20261129010000 +0900", "Robot Town",
                  '<title lang="ko">로봇 마을</title>' + RATED.format("Animation", "ALL")),
    ).encode(), name="guide.xml")
    catalog.import_vod(HOME, b'[{"id": "deep-blue", "title": "Deep Blue Planet", "rating": "ALL", "genres": ["nature"], '
                             b'"description": "A series about the oceans."}, {"id": "case", "title": "Midnight Case Files",'
                             b' "rating": "19", "description": "Cold cases by the ocean."}]', name="vod.json")
    catalog.set_apps(HOME, [{"id": "youtube", "name": "YouTube"}])
    return catalog


def refs(hits) -> list[str]:
    return [h.ref for h in hits]


def test_live_ranks_above_upcoming_above_past(home):
    hits = home.search(HOME, "football", at=AT, kind="programme")
    assert [h.title for h in hits] == ["Football Live", "Football Tonight", "Football Classics"]
    live = hits[0]
    assert live.live and live.channel_ref == "channel:live" and live.subtitle == "Live Sport · now until 22:00"
    assert hits[1].subtitle == "Later Sport · today 22:00–00:00" and hits[2].subtitle == "Past Sport · aired today 10:00"
    assert hits[0].score > hits[1].score > hits[2].score


def test_search_covers_every_kind_and_filters_by_kind(home):
    assert {h.kind for h in home.search(HOME, "football", at=AT)} == {"programme", "channel"}
    assert refs(home.search(HOME, "football", at=AT, kind="channel")) == ["channel:football.tv"]
    assert refs(home.search(HOME, "youtube", at=AT)) == ["app:youtube"]
    assert refs(home.search(HOME, "planet", at=AT, kind="vod")) == ["vod:deep-blue"]
    with pytest.raises(InvalidInput, match="kind must be one of"):
        home.search(HOME, "football", kind="podcast")
    with pytest.raises(InvalidInput, match="at least one word"):
        home.search(HOME, "  ?! ")


def test_an_exact_channel_name_comes_first(home):
    assert home.search(HOME, "Football TV", at=AT)[0].ref == "channel:football.tv"


@pytest.mark.parametrize("query", ["footbal", "foot all", "fotball", "FOOTBALL", "footbll"])
def test_typos_still_find_football(home, query):
    assert home.search(HOME, query, at=AT, kind="programme")[0].title == "Football Live"


def test_titles_in_other_languages_are_searchable(home):
    [hit] = home.search(HOME, "로봇", at=AT)
    assert (hit.title, hit.ref) == ("Robot Town", "programme:later/20261128150000")


def test_prefixes_find_longer_words(home):
    assert "vod:deep-blue" in refs(home.search(HOME, "ocean", at=AT))  # "oceans" in the description


def test_max_rating_filters_every_kind(home):
    everything = refs(home.search(HOME, "ocean", at=AT))
    assert {"vod:case", "vod:deep-blue", "programme:adult/20261128110000"} <= set(everything)
    for limit in ("7", "18"):
        allowed = refs(home.search(HOME, "ocean", at=AT, max_rating=limit))
        assert allowed == ["vod:deep-blue"]
    assert home.search(HOME, "midnight case files", at=AT, max_rating="7") == []


def test_unknown_words_find_nothing_and_limit_applies(home):
    assert home.search(HOME, "zzzqqq", at=AT) == []
    assert len(home.search(HOME, "football", at=AT, limit=2)) == 2
