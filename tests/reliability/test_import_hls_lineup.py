"""Item 13: an HLS playlist is not a channel lineup, and no import empties a home's lineup by accident."""

from __future__ import annotations

from pathlib import Path

import pytest
from rules_helpers import channel_ids, demo_home_with, run_cli

from support import shared_path
from twinspace.content.m3u import parse_m3u
from twinspace.errors import FormatError

HLS = shared_path("external", "m3u", "python-m3u8-hls")


@pytest.mark.parametrize("name, kind", [
    ("from-playlists_py/MULTI_MEDIA_PLAYLIST.m3u8", "master playlist"),
    ("from-playlists_py/PLAYLIST_WITH_ENCRYPTED_SEGMENTS.m3u8", "media playlist"),
    ("simple-playlist.m3u8", "media playlist"),
])
def test_replace_with_an_hls_playlist_is_refused_and_keeps_the_lineup(tmp_path: Path, name: str, kind: str) -> None:
    data = tmp_path / "data"
    assert run_cli(data, "import", str(demo_home_with(tmp_path, "first"))).exit_code == 0
    before = channel_ids(data)
    assert len(before) == 6

    r = run_cli(data, "import", "--replace", str(demo_home_with(tmp_path, "hls", channels_m3u=HLS / name)))
    assert r.exit_code == 1
    assert f"this is an HLS {kind}" in r.output and "not a channel lineup" in r.output
    assert "imported 0 channels" not in r.output
    assert channel_ids(data) == before


def test_every_hls_playlist_of_the_m3u8_tests_is_recognised() -> None:
    """All 104 HLS inputs are refused as HLS; the two IPTV lineups among them still import."""
    refused, lineups = 0, 0
    for path in sorted(HLS.rglob("*.m3u8")):
        text = path.read_text(encoding="utf-8")
        if "#EXT-X-" not in text:
            assert parse_m3u(path).channels  # IPTV_PLAYLIST_WITH_* are lineups that live in that folder
            lineups += 1
            continue
        with pytest.raises(FormatError) as error:
            parse_m3u(path)
        assert "HLS" in error.value.message or "#EXTM3U" in error.value.message, path
        refused += 1
    assert refused >= 100 and lineups == 2


def test_an_empty_lineup_never_empties_the_home_without_the_flag(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli(data, "import", str(demo_home_with(tmp_path, "first"))).exit_code == 0
    empty = demo_home_with(tmp_path, "empty", channels_m3u=b"#EXTM3U\n")
    r = run_cli(data, "import", "--replace", str(empty))
    assert r.exit_code == 1 and "has no channels" in r.output and "--allow-empty" in r.output
    assert len(channel_ids(data)) == 6
    r = run_cli(data, "import", "--replace", "--allow-empty", str(empty))
    assert r.exit_code == 0, r.output
    assert channel_ids(data) == []


def test_a_guide_with_nothing_readable_is_refused_over_a_stored_guide(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli(data, "import", str(demo_home_with(tmp_path, "first"))).exit_code == 0
    unreadable = b'<tv><programme channel="news" start="yesterday"><title>X</title></programme></tv>'
    r = run_cli(data, "import", "--replace", str(demo_home_with(tmp_path, "g", guide_xml=unreadable)))
    assert r.exit_code == 1
    assert "has no programmes" in r.output and "unparsable start time" in r.output
