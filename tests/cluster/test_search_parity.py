"""Content search on PostgreSQL (tsvector weights, pg_trgm) against SQLite (FTS5 BM25).

The same catalogues are imported into both stores: the demo household of
../shared/fixtures/dev-home (ten channels, a two-day guide, on-demand titles, apps) and a
real UK guide (Jellyfin's XMLTV test data, ~2,000 programmes on five channels, with a
lineup made from its own channel list). The same queries (exact titles, partial words,
typos, genre words, names of people, several words, other kinds) must give the same top
result on at least 95% of them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from support import shared_path
from twinspace.home.homefile import read_home_dir
from twinspace.store.catalog_pg import PgCatalog, scratch_catalog
from twinspace.store.postgres import PostgresStore

DEV_AT = datetime(2026, 11, 28, 20, 5, tzinfo=timezone(timedelta(hours=9)))
UK_AT = datetime(2015, 11, 28, 20, 0, tzinfo=timezone.utc)
UK_GUIDE = shared_path("external", "xmltv", "jellyfin-xmltv", "UK_Data.xml")

DEV_QUERIES = [
    # exact titles
    "Robot Town", "Planet Oceans", "The Prosecutor", "Hospital Nights", "Kimchi Masters", "Jazz Session",
    "Starfall", "Deep Blue Planet", "Morning Yoga in VR", "Evening News",
    # partial words and prefixes
    "kimchi", "ocean", "prosec", "hospit", "robo", "premier league", "basket",
    # typos
    "robto town", "plannet", "hosptal nights", "kimchee masters", "prosecuter", "jaz sesion", "starfal",
    # genres and categories
    "weather", "cooking", "animation", "documentary", "football", "thriller", "drama", "science fiction",
    # people and places named in titles
    "ulsan", "jeonbuk", "jeju", "seoul vs busan",
    # channels and apps
    "Sports One", "Docu World", "kids tv", "Cinema Plus", "netflix", "youtube",
]
UK_QUERIES = [
    "Come Dine with Me", "Frasier", "Peppa Pig", "Everybody Loves Raymond", "Countdown", "The Chase",
    "Bargain Hunt", "The Big Bang Theory", "Loose Women", "Neighbours",
    "peppa", "simpson", "snooker", "escape country", "bargain", "doctor",
    "frazier", "everybody loves raymnd", "neighbors", "jeremy kile", "snoker championship", "simpsons",
    "news", "sitcom", "comedy", "cartoon", "quiz", "documentary", "weather",
    "jeremy kyle", "judge rinder", "bob the builder", "raymond", "ben and holly",
    "BBC2", "Channel 4", "ITV1",
]


def uk_lineup() -> bytes:
    """An M3U lineup of the guide's own channels (id and first display name)."""
    text = UK_GUIDE.read_text(encoding="iso-8859-1")
    channels = re.findall(r'<channel id="([^"]+)">\s*<display-name[^>]*>([^<]+)<', text)
    lines = ["#EXTM3U"] + [f'#EXTINF:-1 tvg-id="{i}" group-title="UK",{name}\nhttp://example.test/{i}'
                           for i, name in channels]
    return ("\n".join(lines) + "\n").encode()


def catalogues() -> list[tuple[SimpleNamespace, dict[str, bytes]]]:
    """(home with `id` and `content`, its files) for each catalogue."""
    dev = read_home_dir(shared_path("fixtures", "dev-home"))
    uk = SimpleNamespace(id="uk-home", content=SimpleNamespace(
        m3u="uk.m3u", xmltv="UK_Data.xml", vod=None, apps=[{"id": "iplayer", "name": "BBC iPlayer"}]))
    return [(dev.home, dev.files), (uk, {"uk.m3u": uk_lineup(), "UK_Data.xml": UK_GUIDE.read_bytes()})]


@pytest.fixture
def both(pg_url: str, tmp_path: Path):
    conn, sqlite_catalog = scratch_catalog()
    store = PostgresStore(pg_url, path=tmp_path / "data" / "twinspace.db")
    pg = PgCatalog(store)
    for home, files in catalogues():
        sqlite_catalog.import_home_content(home, files)
        pg.import_home_content(home, files)
    yield sqlite_catalog, pg, catalogues()[0][0].id
    store.close()
    conn.close()


def top(hits) -> str | None:  # noqa: ANN001 - SearchHit list
    return hits[0].ref if hits else None


def test_postgres_gives_the_same_top_result_as_sqlite_on_95_percent(both) -> None:
    lite, pg, dev = both
    cases = [(dev, q, DEV_AT) for q in DEV_QUERIES] + [("uk-home", q, UK_AT) for q in UK_QUERIES]
    assert len(cases) >= 40
    differ, empty = [], 0
    for home, query, at in cases:
        a, b = top(lite.search(home, query, at=at)), top(pg.search(home, query, at=at))
        empty += a is None
        if a != b:
            differ.append((home, query, a, b))
    same = len(cases) - len(differ)
    print(f"search parity: same top result on {same} of {len(cases)} queries ({same / len(cases):.1%}); "
          f"differ: {differ}")
    assert empty <= len(cases) // 10, "most queries must find something, or the parity says little"
    assert same >= 0.95 * len(cases), differ


def test_postgres_search_tolerates_typos_and_ranks_live_first(both) -> None:
    _, pg, dev = both
    assert pg.search(dev, "robto town", at=DEV_AT)[0].title.startswith("Robot Town")
    weather = pg.search(dev, "weather", at=DEV_AT, kind="programme")
    assert weather[0].live  # airing now beats the same show later
    assert [h.kind for h in pg.search(dev, "youtube", at=DEV_AT)] == ["app"]
    assert pg.search(dev, "Sports One", at=DEV_AT)[0].ref == "channel:sportsone.kr"


def test_postgres_search_keeps_the_rating_limit(both) -> None:
    lite, pg, dev = both
    for limit in (None, "12", "7"):
        assert ([h.ref for h in pg.search(dev, "case files", at=DEV_AT, max_rating=limit)][:1]
                == [h.ref for h in lite.search(dev, "case files", at=DEV_AT, max_rating=limit)][:1])


def test_a_new_import_replaces_the_home_catalogue_on_postgres(both) -> None:
    _, pg, dev = both
    home, files = catalogues()[0]
    pg.import_home_content(home, files)  # twice: no duplicate documents or airings
    refs = [h.ref for h in pg.search(dev, "Planet Oceans", at=DEV_AT, limit=50)]
    assert len(refs) == len(set(refs))
    with pg.store.reading() as c:
        assert c.execute("SELECT count(*) FROM content_search WHERE home_id = ? AND kind = 'app'",
                         (dev,)).fetchone()[0] == len(home.content.apps)
