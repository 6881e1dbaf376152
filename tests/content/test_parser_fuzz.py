"""Property tests: parsers succeed or raise FormatError, and what is written reads back the same."""

import io
import json
from datetime import datetime, timedelta, timezone

from content_helpers import content_db, guide, programme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinspace.content import Catalog, Channel, Programme
from twinspace.content.m3u import format_m3u, parse_m3u, parse_m3u_text
from twinspace.content.models import pick_language
from twinspace.content.vod import parse_vod
from twinspace.content.xmltv import GuideReader, write_xmltv
from twinspace.errors import FormatError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEED_GUIDE = guide(
    programme("a.kr", "20261128000000 +0900", "20261128010000 +0900", "Cook &amp; Eat",
              '<desc lang="en">Food</desc><episode-num system="xmltv_ns">1.4.</episode-num>'
              '<rating system="KR"><value>12</value></rating>'),
    programme("a.kr", "20261128010000 +0900", None, "Open"),
    programme("a.kr", "202611280200", "202611280300", "Short"),
    channels='<channel id="a.kr"><display-name>A</display-name></channel>').encode()
SEED_LINEUP = '#EXTM3U x="1"\n#EXTINF:-1 tvg-id="a" group-title="News, Local",A, B\nhttp://a\n'


def mutate(seed: bytes | str):
    """Seeds with random bytes or characters inserted, deleted or replaced: mostly-valid, broken inputs."""
    alphabet = st.binary(min_size=1, max_size=4) if isinstance(seed, bytes) else st.text(min_size=1, max_size=4)

    def apply(edits):
        data = seed
        for position, cut, insert in edits:
            at = position % (len(data) + 1)
            data = data[:at] + insert + data[at + cut:]
        return data
    return st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3), alphabet), max_size=6).map(apply)


def parses_or_format_error(parse):
    try:
        parse()
    except FormatError:
        pass


@FUZZ
@given(st.one_of(st.binary(max_size=300), mutate(SEED_GUIDE)))
def test_xmltv_reader_succeeds_or_raises_format_error(data):
    parses_or_format_error(lambda: list(GuideReader(data, name="fuzz.xml").programmes()))


@FUZZ
@given(st.one_of(st.text(max_size=300), mutate(SEED_LINEUP)))
def test_m3u_parser_succeeds_or_raises_format_error(text):
    parses_or_format_error(lambda: parse_m3u_text(text, file="fuzz.m3u"))


@FUZZ
@given(st.one_of(st.binary(max_size=300), mutate(SEED_LINEUP.encode())))
def test_m3u_reader_of_bytes_succeeds_or_raises_format_error(data):
    parses_or_format_error(lambda: parse_m3u(data, name="fuzz.m3u"))


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                               st.sampled_from(["id", "title", "kind", "year", "duration_s", "rating", "genres",
                                                "projection", "x"]), inner, max_size=5), max_leaves=15)


@FUZZ
@given(st.one_of(JSON_VALUES.map(lambda v: json.dumps(v).encode()), st.binary(max_size=50)))
def test_vod_parser_succeeds_or_raises_format_error(data):
    parses_or_format_error(lambda: parse_vod(data, name="vod.json"))


# --- round trips -----------------------------------------------------------------------------

def text(max_size: int = 20):
    # XML cannot carry control characters; the reader strips surrounding whitespace.
    return st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=max_size).map(
        str.strip).filter(bool)


LANGS = st.sampled_from([None, "en", "ko", "fr"])
OFFSETS = st.integers(-12 * 4, 14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))


@st.composite
def channel_programmes(draw, channel_id: str) -> list[Programme]:
    """Back-to-back (never overlapping) programmes on one channel, each in some UTC offset."""
    moment = datetime(2026, 11, 28, tzinfo=timezone.utc) + timedelta(minutes=draw(st.integers(0, 10_000)))
    result = []
    for _ in range(draw(st.integers(1, 4))):
        stop = moment + timedelta(seconds=draw(st.integers(60, 6 * 3600)))
        titles = tuple(draw(st.lists(st.tuples(LANGS, text()), min_size=1, max_size=3)))
        descriptions = tuple(draw(st.lists(st.tuples(LANGS, text(60)), max_size=2)))
        rating = draw(st.none() | st.sampled_from(["ALL", "7", "12", "19", "R"]))
        result.append(Programme(
            channel_id=channel_id, start=moment.astimezone(draw(OFFSETS)), stop=stop.astimezone(draw(OFFSETS)),
            title=pick_language(titles), titles=titles, description=pick_language(descriptions),
            descriptions=descriptions, categories=tuple(draw(st.lists(text(), max_size=2))), rating=rating,
            rating_system=draw(st.sampled_from(["KR", "MPAA"])) if rating else None,
            season=draw(st.none() | st.integers(1, 40)), episode=draw(st.none() | st.integers(1, 400))))
        moment = stop + timedelta(seconds=draw(st.sampled_from([0, 0, 600])))
    return result


GUIDES = st.lists(st.sampled_from(["a.kr", "b.kr", "kids & co", "채널"]), min_size=1, max_size=3, unique=True).flatmap(
    lambda ids: st.tuples(*(channel_programmes(i) for i in ids))).map(lambda lists: [p for ps in lists for p in ps])


def same(left: list[Programme], right: list[Programme]) -> None:
    assert left == right
    assert [(p.start.utcoffset(), p.stop.utcoffset()) for p in left] == [
        (p.start.utcoffset(), p.stop.utcoffset()) for p in right]


@FUZZ
@given(GUIDES)
def test_generated_programmes_round_trip_through_xmltv(programmes):
    out = io.BytesIO()
    write_xmltv(out, programmes, {"a.kr": "A & Co"})
    reader = GuideReader(out.getvalue(), name="generated.xml")
    same(list(reader.programmes()), programmes)
    assert reader.channels == {"a.kr": "A & Co"} and reader.skipped.total == 0


@settings(max_examples=60, deadline=None)
@given(GUIDES)
def test_generated_programmes_round_trip_through_the_catalogue(programmes):
    out = io.BytesIO()
    write_xmltv(out, programmes)
    catalog = Catalog(content_db())
    assert catalog.import_guide("h", out.getvalue(), name="generated.xml").programmes == len(programmes)
    same([catalog.programme("h", p.id) for p in programmes], programmes)


CHANNELS = st.lists(st.builds(
    Channel, id=st.from_regex(r"[a-z0-9.]{1,12}", fullmatch=True), name=text().filter(lambda s: "\n" not in s),
    url=st.from_regex(r"https?://[a-z]{1,10}\.test/[a-z0-9]{0,8}", fullmatch=True),
    number=st.none() | st.from_regex(r"[1-9][0-9]{0,3}", fullmatch=True),
    group=st.none() | text().filter(lambda s: '"' not in s and "\n" not in s),
    logo=st.none(), tvg_name=st.none() | text().filter(lambda s: '"' not in s and "\n" not in s)),
    max_size=5, unique_by=lambda c: c.id)


@FUZZ
@given(CHANNELS)
def test_generated_lineups_round_trip_through_m3u(channels):
    assert parse_m3u_text(format_m3u(channels)).channels == channels
