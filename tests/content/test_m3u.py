import gzip

import pytest
from content_helpers import lineup

from twinspace.content.m3u import format_m3u, parse_m3u, parse_m3u_text
from twinspace.errors import FormatError, NotFound


def test_reads_every_field_and_quoted_values_with_spaces_and_commas():
    text = ('#EXTM3U x-tvg-url="guide.xml"\n'
            '#EXTINF:-1 tvg-id="news.kr" tvg-name="News, Local" tvg-chno="1" tvg-logo="http://l/n.png" '
            'group-title="News, Seoul",News 24, Seoul edition\n'
            'http://example.test/news\n')
    result = parse_m3u_text(text, file="t.m3u")
    assert result.attributes == {"x-tvg-url": "guide.xml"}
    [channel] = result.channels
    assert channel.id == "news.kr"
    assert channel.name == "News 24, Seoul edition"  # everything after the first unquoted comma
    assert channel.tvg_name == "News, Local"
    assert channel.group == "News, Seoul"
    assert (channel.number, channel.logo, channel.url) == ("1", "http://l/n.png", "http://example.test/news")
    assert channel.ref == "channel:news.kr"


def test_tolerates_bom_crlf_blank_lines_other_directives_and_extgrp():
    text = ("\ufeff#EXTM3U\r\n\r\n#EXTINF:0 tvg-id=a,Alpha\r\n#EXTGRP:Movies\r\n#EXTVLCOPT:http-user-agent=x\r\n"
            "\r\nhttp://a\r\n")
    [channel] = parse_m3u_text(text).channels
    assert (channel.id, channel.name, channel.group, channel.url) == ("a", "Alpha", "Movies", "http://a")


def test_only_cr_and_lf_end_lines():
    [channel] = parse_m3u_text("#EXTM3U\r#EXTINF:-1,Line\u2028Separator\x1cEnd\rhttp://a").channels
    assert (channel.name, channel.url) == ("Line\u2028Separator\x1cEnd", "http://a")


def test_channels_without_tvg_id_get_stable_ids_from_their_names():
    text = "#EXTM3U\n#EXTINF:-1,Cook & Eat\nhttp://1\n#EXTINF:-1,Cook & Eat\nhttp://2\n#EXTINF:-1,뉴스\nhttp://3\n"
    ids = [c.id for c in parse_m3u_text(text).channels]
    assert ids == ["cook-eat", "cook-eat-2", "뉴스"]
    assert ids == [c.id for c in parse_m3u_text(text).channels]


def test_a_repeated_tvg_id_keeps_the_first_and_is_reported():
    result = parse_m3u_text(lineup(("a", "One"), ("a", "One HD"), ("b", "Two")))
    assert [c.name for c in result.channels] == ["One", "Two"]
    assert result.skipped.counts == {"duplicate tvg-id": 1}


def test_a_url_without_extinf_is_skipped_not_fatal():
    result = parse_m3u_text("#EXTM3U\nhttp://stray\n#EXTINF:-1 tvg-id=a,A\nhttp://a\n")
    assert [c.id for c in result.channels] == ["a"]
    assert result.skipped.counts == {"URL without #EXTINF": 1}
    assert "line 2" in result.skipped.examples[0]


@pytest.mark.parametrize("text, where, words", [
    ("#EXTINF:-1,A\nhttp://a\n", "line 1", "#EXTM3U"),
    ("\n\nhello\n", "line 3", "#EXTM3U"),
    ("", "line 1", "#EXTM3U"),
    ("#EXTM3U\n#EXTINF:-1 tvg-id=a,A\n", "line 2", "no URL"),
    ('#EXTM3U\n#EXTINF:-1 tvg-id="a,A\nhttp://a\n', "line 2, column 19", "never closed"),
    ('#EXTM3U\n#EXTINF:-1 tvg-id="a" !,A\nhttp://a\n', "line 2, column 23", "found '!'"),
    ('#EXTM3U\n#EXTINF:-1 tvg-id="a"\nhttp://a\n', "line 2, column 22", "expected ','"),
    ("#EXTM3U\n#EXTINF:abc,A\nhttp://a\n", "line 2, column 9", "duration"),
    ("#EXTM3U\n#EXTINF:-1 tvg-id=a,\nhttp://a\n", "line 2, column 21", "no name"),
])
def test_malformed_lineups_say_where(text, where, words):
    with pytest.raises(FormatError) as error:
        parse_m3u_text(text, file="bad.m3u")
    assert error.value.file == "bad.m3u"
    assert error.value.where == where
    assert words in error.value.message
    assert str(error.value).startswith(f"bad.m3u: {where}: ")


def test_one_bad_entry_is_skipped_and_reported_with_its_line():
    result = parse_m3u_text("#EXTM3U\n#EXTINF:-1 tvg-id=a,A\n#EXTINF:-1 tvg-id=b,B\nhttp://b\n"
                            "#EXTINF:abc,C\nhttp://c\n#EXTINF:-1 tvg-id=d,D\nhttp://d\n")
    assert [c.id for c in result.channels] == ["b", "d"]
    assert result.skipped.total == 2
    assert result.skipped.examples[0] == "line 2: #EXTINF has no URL line after it"
    assert result.skipped.examples[1].startswith("line 5, column 9: expected a duration")


def test_reads_files_gzip_and_bytes(write):
    text = lineup(("a", "Alpha"))
    assert parse_m3u(write("l.m3u", text)).channels[0].name == "Alpha"
    assert parse_m3u(write("l.m3u.gz", gzip.compress(text.encode()))).channels[0].name == "Alpha"
    assert parse_m3u(text.encode(), name="x.m3u").channels[0].name == "Alpha"


def test_bad_encoding_and_missing_files_are_reported(write, tmp_path):
    with pytest.raises(FormatError) as error:
        parse_m3u(write("l.m3u", b"#EXTM3U\n#EXTINF:-1,\xff\xfe\nhttp://a\n"))
    assert error.value.where == "line 2"
    with pytest.raises(NotFound):
        parse_m3u(tmp_path / "missing.m3u")


def test_format_m3u_reads_back_the_same_lineup():
    original = parse_m3u_text('#EXTM3U x-tvg-url="g.xml"\n#EXTINF:-1 tvg-id="a" tvg-chno="7" '
                              'group-title="Kids, Family",Kids TV\nhttp://k\n')
    again = parse_m3u_text(format_m3u(original.channels, original.attributes))
    assert again.channels == original.channels and again.attributes == original.attributes
