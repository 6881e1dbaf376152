"""Item 14: one bad entry does not refuse a real 4,602-entry playlist."""

from __future__ import annotations

from pathlib import Path

from rules_helpers import channel_ids, demo_home_with, run_cli

from support import shared_path
from twinspace.content.m3u import parse_m3u

IPTV_ORG = shared_path("external", "m3u", "ipytv", "iptv-org.m3u")


def test_the_good_entries_are_read_and_the_bad_one_is_named_by_its_line() -> None:
    lineup = parse_m3u(IPTV_ORG)
    assert lineup.skipped.counts["#EXTINF has no URL line after it"] == 1
    assert "line 7042: #EXTINF has no URL line after it" in lineup.skipped.examples
    listed = len(lineup.channels) + lineup.skipped.total
    assert listed == 4602  # every #EXTINF is either a channel or a reported skip
    assert len(lineup.channels) > 4000


def test_the_import_reports_the_bad_entry_and_keeps_the_rest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = run_cli(data, "import", str(demo_home_with(tmp_path, "iptv", channels_m3u=IPTV_ORG)))
    assert r.exit_code == 0, r.output
    assert "line 7042: #EXTINF has no URL line after it" in r.output
    assert len(channel_ids(data)) == len(parse_m3u(IPTV_ORG).channels)
