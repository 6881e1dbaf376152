import gzip
from datetime import datetime, timedelta, timezone

import pytest
from content_helpers import KST, guide, programme

from twinspace.content.xmltv import GuideReader, parse_episode, parse_time
from twinspace.errors import FormatError


def read(text: str | bytes, **options):
    reader = GuideReader(text.encode() if isinstance(text, str) else text, name="guide.xml", **options)
    return list(reader.programmes()), reader


@pytest.mark.parametrize("text, expected", [
    ("20261128000000 +0900", datetime(2026, 11, 28, 0, 0, 0, tzinfo=KST)),
    ("20261128000000 -0330", datetime(2026, 11, 28, 0, 0, 0, tzinfo=timezone(-timedelta(hours=3, minutes=30)))),
    ("20261128000000+09:00", datetime(2026, 11, 28, 0, 0, 0, tzinfo=KST)),
    ("20261128153045", datetime(2026, 11, 28, 15, 30, 45, tzinfo=timezone.utc)),
    ("202611281530", datetime(2026, 11, 28, 15, 30, tzinfo=timezone.utc)),
    ("202611281530 +0900", datetime(2026, 11, 28, 15, 30, tzinfo=KST)),
    ("20261128", datetime(2026, 11, 28, tzinfo=timezone.utc)),
    ("20261128000000 Z", datetime(2026, 11, 28, tzinfo=timezone.utc)),
])
def test_times_keep_their_source_offset(text, expected):
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["", "2026", "2026112", "20261328000000", "20261128000000 +2500", "tomorrow",
                                  "٢٠٢٦١١٢٨"])
def test_bad_times_raise_value_error(text):
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize("system, text, expected", [
    ("xmltv_ns", "1.4.", (2, 5)),
    ("xmltv_ns", "0.0.0/1", (1, 1)),
    ("xmltv_ns", " 2/5 . 9/10 . ", (3, 10)),
    ("xmltv_ns", ".3.", (None, 4)),
    ("xmltv_ns", "7", (None, None)),
    ("onscreen", "S02E05", (2, 5)),
    ("onscreen", "s2 e5", (2, 5)),
    ("onscreen", "2x05", (2, 5)),
    ("onscreen", "E07", (None, 7)),
    ("onscreen", "Part one", (None, None)),
    ("dd_progid", "EP0123", (None, None)),
])
def test_episode_numbers(system, text, expected):
    assert parse_episode(system, text) == expected


def test_reads_all_the_fields():
    extra = ('<title lang="ko">로봇 마을</title><desc lang="ko">로봇들</desc><desc lang="en">Robots &amp; friends.</desc>'
             '<category lang="en">Animation</category><category lang="en">Kids</category>'
             '<episode-num system="xmltv_ns">1.4.</episode-num><episode-num system="onscreen">S09E09</episode-num>'
             '<rating system="KR"><value>7</value></rating>')
    [p], reader = read(guide(programme("kids.kr", "20261128200000 +0900", "20261128203000 +0900", "Robot Town", extra),
                             channels='<channel id="kids.kr"><display-name>Kids &amp; Co</display-name></channel>'))
    assert reader.channels == {"kids.kr": "Kids & Co"}
    assert (p.channel_id, p.title, p.description) == ("kids.kr", "Robot Town", "Robots & friends.")
    assert p.titles == (("en", "Robot Town"), ("ko", "로봇 마을"))
    assert p.descriptions == (("ko", "로봇들"), ("en", "Robots & friends."))
    assert p.categories == ("Animation", "Kids")
    assert (p.season, p.episode, p.episode_label) == (2, 5, "S02E05")  # the first episode-num wins
    assert (p.rating, p.rating_system) == ("7", "KR")
    assert p.start == datetime(2026, 11, 28, 20, 0, tzinfo=KST) and p.start.utcoffset() == timedelta(hours=9)
    assert p.id == "kids.kr/20261128110000" and p.ref == "programme:kids.kr/20261128110000"


def test_preferred_language_then_first():
    extra = '<title lang="fr">Le Journal</title>'
    doc = guide(f'<programme start="20261128000000" stop="20261128010000" channel="a">'
                f'<title lang="de">Nachrichten</title>{extra}</programme>',
                programme("a", "20261128010000", "20261128020000", "News", '<title lang="en-GB">News (GB)</title>'))
    assert [p.title for p in read(doc)[0]] == ["Nachrichten", "News"]
    assert [p.title for p in read(doc, preferred_lang="fr")[0]] == ["Le Journal", "News"]


def test_entities_and_cdata_are_decoded():
    [p], _ = read(guide(programme("a", "20261128000000", "20261128010000", "Cook &amp; Eat &#x2764; <![CDATA[<live>]]>")))
    assert p.title == "Cook & Eat \u2764 <live>"


def test_missing_stop_takes_the_next_start_on_the_same_channel():
    doc = guide(programme("a", "20261128000000 +0900", None, "First"),
                programme("b", "20261128003000 +0900", "20261128010000 +0900", "Other channel"),
                programme("a", "20261128004500 +0900", "20261128010000 +0900", "Second"),
                programme("a", "20261128010000 +0900", None, "Last, open ended"))
    programmes, reader = read(doc)
    by_title = {p.title: p for p in programmes}
    assert by_title["First"].stop == datetime(2026, 11, 28, 0, 45, tzinfo=KST)
    assert "Last, open ended" not in by_title
    assert reader.skipped.counts == {"no stop time and no later programme on the channel": 1}


def test_bad_programmes_are_skipped_and_counted_with_reasons():
    doc = guide(programme("a", "2026-11-28", "20261128010000", "Bad start"),
                programme("a", "20261128010000", "20261128003000", "Backwards"),
                '<programme start="20261128020000" stop="20261128030000"><title>No channel</title></programme>',
                '<programme start="20261128020000" stop="20261128030000" channel="a"></programme>',
                programme("a", "20261128030000", "20261128040000", "Good"))
    programmes, reader = read(doc)
    assert [p.title for p in programmes] == ["Good"]
    assert reader.skipped.counts == {"unparsable start time": 1, "stop is not after start": 1,
                                     "no channel attribute": 1, "no title": 1}
    assert reader.skipped.examples[0] == "line 3: unparsable start time (2026-11-28)"


@pytest.mark.parametrize("document, where, words", [
    (guide(programme("a", "20261128000000", "20261128010000", "Fish & Chips")), "line 3, column ", "xmlParseEntityRef"),
    ('<?xml version="1.0"?>\n<tv>\n<programme start="1" channel="a"><title>A</title>\n</tv>\n', "line 4, column ",
     "mismatch"),
    ("<tv><programme channel='a' start='20261128000000'><title>A&nbsp;B</title></programme></tv>",
     "line 1, column ", "nbsp"),
    ("", "line 1", "no element found"),
    ("<channels/>", "line 1", "<tv>"),
    ("<tv><x><programme channel='a' start='20261128000000'><title>A</title></programme></x></tv>", "line 1",
     "directly inside <tv>"),
])
def test_malformed_xml_names_file_line_and_column(document, where, words):
    with pytest.raises(FormatError) as error:
        read(document)
    assert error.value.file == "guide.xml"
    assert error.value.where.startswith(where)
    assert words in error.value.message


def test_external_entities_are_never_loaded():
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE tv [<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n'
           '<tv><programme channel="a" start="20261128000000" stop="20261128010000"><title>T&secret;</title>'
           '</programme></tv>')
    with pytest.raises(FormatError):
        read(doc)


def test_gzip_files_are_recognised(write):
    doc = guide(programme("a", "20261128000000 +0900", "20261128010000 +0900", "Zipped"))
    for path in (write("guide.xml.gz", gzip.compress(doc.encode())), write("guide.xml", doc)):
        assert [p.title for p in GuideReader(path).programmes()] == ["Zipped"]
    with pytest.raises(FormatError, match="gzip"):
        list(GuideReader(gzip.compress(doc.encode())[:40]).programmes())
