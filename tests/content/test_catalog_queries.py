"""What's on, lookups by id and name, content refs and rating limits."""

from datetime import datetime, timezone

import pytest
from content_helpers import KST, guide, programme

from twinspace.content import Channel, Programme, VodTitle
from twinspace.content.models import App
from twinspace.errors import InvalidInput, NotAllowed, NotFound

HOME = "home-1"
LINEUP = ('#EXTM3U\n'
          '#EXTINF:-1 tvg-id="sports.kr" tvg-chno="2" group-title="Sports",Sports One\nhttp://s\n'
          '#EXTINF:-1 tvg-id="kids.kr" tvg-chno="4" group-title="Kids",Kids TV\nhttp://k\n'
          '#EXTINF:-1 tvg-id="movies.kr" tvg-chno="5" group-title="Movies",Cinema Plus\nhttp://m\n')
RATED = '<category>{}</category><rating system="KR"><value>{}</value></rating>'
GUIDE = guide(
    programme("sports.kr", "20261128193000 +0900", "20261128203000 +0900", "Premier League Highlights",
              RATED.format("Football", "ALL")),
    programme("sports.kr", "20261128220000 +0900", "20261129000000 +0900", "K League Live", RATED.format("Football", "ALL")),
    programme("kids.kr", "20261128200000 +0900", "20261128203000 +0900", "Robot Town", RATED.format("Animation", "ALL")),
    programme("kids.kr", "20261128203000 +0900", "20261128210000 +0900", "Science Kids", RATED.format("Education", "7")),
    programme("movies.kr", "20261128183000 +0900", "20261128210000 +0900", "Night Runner", RATED.format("Movie", "19")),
    programme("movies.kr", "20261128210000 +0900", "20261128230000 +0900", "Unrated Film", "<category>Movie</category>"))
AT = datetime(2026, 11, 28, 20, 5, tzinfo=KST)


@pytest.fixture
def home(catalog):
    catalog.import_lineup(HOME, LINEUP.encode(), name="channels.m3u")
    catalog.import_guide(HOME, GUIDE.encode(), name="guide.xml")
    catalog.import_vod(HOME, b'[{"id": "dune", "title": "Dune", "rating": "12"}, {"id": "tiny", "title": "Tiny Chef", '
                             b'"rating": "ALL"}]', name="vod.json")
    catalog.set_apps(HOME, [{"id": "youtube", "name": "YouTube"}])
    return catalog


def on(listings) -> dict[str, str]:
    return {x.channel.id: x.programme.title for x in listings}


def test_now_at_a_time_on_every_channel(home):
    assert on(home.at(HOME, AT)) == {"sports.kr": "Premier League Highlights", "kids.kr": "Robot Town",
                                     "movies.kr": "Night Runner"}
    assert on(home.now(HOME)) == on(home.at(HOME, AT))  # the catalogue's clock says 20:05 +09:00
    assert on(home.at(HOME, datetime(2026, 11, 28, 21, 30, tzinfo=KST))) == {"movies.kr": "Unrated Film"}


def test_the_stop_time_is_exclusive_and_times_compare_across_offsets(home):
    # 11:30 UTC is 20:30 KST: the highlights (19:30-20:30) have just ended.
    assert on(home.at(HOME, datetime(2026, 11, 28, 11, 30, tzinfo=timezone.utc))) == {
        "kids.kr": "Science Kids", "movies.kr": "Night Runner"}
    assert on(home.at(HOME, datetime(2026, 11, 28, 11, 29, 59, tzinfo=timezone.utc), channel="sports.kr")) == {
        "sports.kr": "Premier League Highlights"}


def test_next_and_now_next(home):
    assert on(home.next(HOME, AT)) == {"sports.kr": "K League Live", "kids.kr": "Science Kids",
                                       "movies.kr": "Unrated Film"}
    [sports] = home.now_next(HOME, AT, channel="Sports One")
    assert (sports.now.title, sports.next.title) == ("Premier League Highlights", "K League Live")
    late = {x.channel.id: x for x in home.now_next(HOME, datetime(2026, 11, 28, 23, 30, tzinfo=KST))}
    assert late["sports.kr"].now.title == "K League Live" and late["sports.kr"].next is None
    assert late["kids.kr"].now is None and late["kids.kr"].next is None


def test_filters_by_channel_name_category_and_rating(home):
    assert on(home.now(HOME, AT, channel="kids tv")) == {"kids.kr": "Robot Town"}
    assert on(home.now(HOME, AT, category="football")) == {"sports.kr": "Premier League Highlights"}
    assert on(home.now(HOME, AT, category="Kids")) == {"kids.kr": "Robot Town"}  # the channel's group
    assert on(home.now(HOME, AT, max_rating="18")) == {"sports.kr": "Premier League Highlights",
                                                       "kids.kr": "Robot Town"}
    # A 7-year-old is not shown what replaces a hidden programme, nor an unrated one.
    assert on(home.next(HOME, AT, max_rating="7")) == {"sports.kr": "K League Live", "kids.kr": "Science Kids"}
    [movies] = home.now_next(HOME, AT, channel="movies.kr", max_rating="7")
    assert (movies.now, movies.next) == (None, None)


def test_times_need_an_offset(home):
    with pytest.raises(InvalidInput, match="UTC offset"):
        home.now(HOME, datetime(2026, 11, 28, 20, 5))


def test_channel_lookup_by_id_name_or_number(home):
    assert home.channel(HOME, "sports.kr").name == "Sports One"
    assert home.channel(HOME, "SPORTS ONE").id == "sports.kr"
    assert home.channel(HOME, "4").id == "kids.kr"
    assert [c.id for c in home.channels(HOME)] == ["sports.kr", "kids.kr", "movies.kr"]
    with pytest.raises(NotFound, match="did you mean Sports One"):
        home.channel(HOME, "Sport One")
    with pytest.raises(NotFound, match="no channel lineup"):
        home.channel("empty-home", "Sports One")


def test_programme_ids_are_stable_and_resolve(home):
    [listing] = home.at(HOME, AT, channel="sports.kr")
    assert listing.programme.id == "sports.kr/20261128103000"
    again = home.programme(HOME, "sports.kr/20261128103000")
    assert again == listing.programme and again.start.utcoffset() == listing.programme.start.utcoffset()
    with pytest.raises(NotFound, match="no programme starting 2026-11-28 10:00 UTC"):
        home.programme(HOME, "sports.kr/20261128100000")
    with pytest.raises(NotFound, match="not a programme id"):
        home.programme(HOME, "sports.kr")


def test_resolve_content_refs(home):
    assert isinstance(home.resolve(HOME, "channel:sports.kr"), Channel)
    assert isinstance(home.resolve(HOME, "programme:kids.kr/20261128110000"), Programme)
    assert home.resolve(HOME, "vod:dune").title == "Dune" and isinstance(home.resolve(HOME, "vod:dune"), VodTitle)
    assert home.resolve(HOME, "app:youtube") == App(id="youtube", name="YouTube")
    for item in (home.resolve(HOME, ref) for ref in ("channel:kids.kr", "vod:tiny", "app:youtube")):
        assert (item.title, item.rating) and item.ref  # what the rest of the hub reads
    with pytest.raises(NotFound, match="no on-demand title 'nope'"):
        home.resolve(HOME, "vod:nope")
    with pytest.raises(NotFound, match="apps: youtube"):
        home.resolve(HOME, "app:netflix")
    with pytest.raises(InvalidInput, match="not a content reference"):
        home.resolve(HOME, "film:dune")


def test_rating_limits_on_single_reads(home):
    with pytest.raises(NotAllowed, match="Dune is rated 12, above the limit of 7"):
        home.resolve(HOME, "vod:dune", max_rating="7")
    with pytest.raises(NotAllowed, match="Night Runner is rated 19"):
        home.programme(HOME, "movies.kr/20261128093000", max_rating="18")
    assert [t.id for t in home.vod_titles(HOME, max_rating="7")] == ["tiny"]
    assert [t.id for t in home.vod_titles(HOME)] == ["dune", "tiny"]
    assert home.allowed("12", "15") and not home.allowed(None, "19")
