"""Imports: reports, atomic re-imports, guide window replacement, conflicts inside one file."""

import sqlite3
from datetime import datetime

import pytest
from content_helpers import KST, MIGRATION, guide, lineup, programme

from twinspace.content import Catalog
from twinspace.errors import FormatError

HOME = "home-1"


def hourly(channel: str, hours: range, title: str) -> list[str]:
    return [programme(channel, f"20261128{h:02d}0000 +0900", f"20261128{h + 1:02d}0000 +0900", f"{title} {h}")
            for h in hours]


def titles(catalog, channel: str) -> list[str]:
    rows = catalog.conn.execute("SELECT title FROM content_programme WHERE home_id = ? AND channel_id = ? "
                                "ORDER BY start_utc", (HOME, channel))
    return [title for (title,) in rows]


@pytest.fixture
def imported(catalog, write):
    catalog.import_lineup(HOME, write("l.m3u", lineup(("a", "Alpha"), ("b", "Beta"))))
    catalog.import_guide(HOME, write("g1.xml", guide(*hourly("a", range(0, 6), "Old A"), *hourly("b", range(0, 6), "B"))))
    return catalog


def test_reports_count_and_read_well(catalog, write):
    report = catalog.import_guide(HOME, write("g.xml", guide(
        *hourly("a", range(0, 3), "Show"),
        programme("a", "bad", "20261128010000", "Broken"),
        programme("z", "20261128000000", "20261128010000", "Elsewhere"))))
    assert (report.programmes, report.channels, report.replaced) == (4, 2, 0)
    assert report.skipped.counts == {"unparsable start time": 1}
    text = str(report)
    assert text.startswith("g.xml: imported 4 programmes on 2 channels")
    assert "skipped 1: 1 × unparsable start time" in text
    assert "2 channels in the guide are not in the lineup" in text


def test_progress_is_reported(catalog, write):
    seen = []
    catalog.import_guide(HOME, write("g.xml", guide(*hourly("a", range(0, 3), "S"))), progress=seen.append)
    assert seen[-1] == 3


def test_reimport_replaces_only_the_files_window_per_channel(imported, write):
    report = imported.import_guide(HOME, write("g2.xml", guide(
        programme("a", "20261128023000 +0900", "20261128033000 +0900", "New A"),
        programme("a", "20261128033000 +0900", "20261128040000 +0900", "Newer A"))))
    # Window 02:30-04:00 on a: 03:00 is replaced, 02:00 is cut at 02:30, 04:00 onward and channel b stay.
    assert titles(imported, "a") == ["Old A 0", "Old A 1", "Old A 2", "New A", "Newer A", "Old A 4", "Old A 5"]
    assert titles(imported, "b") == [f"B {h}" for h in range(6)]
    assert report.replaced == 1
    [cut] = imported.at(HOME, datetime(2026, 11, 28, 2, 10, tzinfo=KST), channel="a")
    assert cut.programme.stop == datetime(2026, 11, 28, 2, 30, tzinfo=KST)


def test_reimporting_the_same_guide_is_idempotent(imported, write):
    before = titles(imported, "a")
    report = imported.import_guide(HOME, write("g1.xml", guide(*hourly("a", range(0, 6), "Old A"))))
    assert report.replaced == 6 and titles(imported, "a") == before
    hits = [h.ref for h in imported.search(HOME, "old", kind="programme", limit=50)]
    assert len(hits) == len(set(hits)) == 6  # search documents are rebuilt, not duplicated


def test_a_failing_import_changes_nothing(imported, write):
    good = guide(*hourly("a", range(0, 6), "Replacement"))
    broken = good.replace("</tv>", "<programme>")  # breaks at the very end, after every programme was read
    with pytest.raises(FormatError):
        imported.import_guide(HOME, write("bad.xml", broken))
    assert titles(imported, "a") == [f"Old A {h}" for h in range(6)]
    assert [h.title for h in imported.search(HOME, "replacement")] == []
    with pytest.raises(FormatError):
        imported.import_lineup(HOME, write("bad.m3u", "#EXTM3U\n#EXTINF:-1 tvg-id=x,X\n"))
    assert [c.id for c in imported.channels(HOME)] == ["a", "b"]


def test_an_import_inside_a_callers_transaction_rolls_back_with_it(imported, write):
    conn = imported.conn
    conn.execute("BEGIN IMMEDIATE")
    imported.import_guide(HOME, write("g2.xml", guide(*hourly("a", range(0, 6), "Replacement"))))
    assert titles(imported, "a")[0] == "Replacement 0"
    conn.execute("ROLLBACK")
    assert titles(imported, "a")[0] == "Old A 0"


def test_a_default_python_connection_is_all_or_nothing_too(write):
    conn = sqlite3.connect(":memory:")  # isolation_level "" : the sqlite3 module's implicit transactions
    conn.executescript(MIGRATION.read_text(encoding="utf-8"))
    catalog = Catalog(conn)
    catalog.import_guide(HOME, write("g1.xml", guide(*hourly("a", range(0, 3), "Old"))))
    with pytest.raises(FormatError):
        catalog.import_guide(HOME, write("bad.xml", guide(*hourly("a", range(0, 3), "New")) + "<oops>"))
    assert titles(catalog, "a") == ["Old 0", "Old 1", "Old 2"] and not conn.in_transaction


def test_duplicates_keep_the_last_and_overlaps_are_cut(catalog, write):
    report = catalog.import_guide(HOME, write("g.xml", guide(
        programme("a", "20261128000000", "20261128010000", "First take"),
        programme("a", "20261128000000", "20261128010000", "Second take"),
        programme("a", "20261128003000", "20261128020000", "Overlapping"),
        programme("a", "20261128010000", "20261128013000", "Inside"))))
    rows = catalog.conn.execute("SELECT title, (stop_utc - start_utc) / 60 FROM content_programme ORDER BY start_utc")
    assert [tuple(row) for row in rows] == [("Second take", 30), ("Overlapping", 30), ("Inside", 30)]
    assert report.programmes == 3
    assert any("repeated a channel and start" in note for note in report.notes)
    assert any("2 programmes overlapped" in note for note in report.notes)


def test_homes_are_separate_and_forget_removes_one(imported, write):
    imported.import_lineup("home-2", write("l2.m3u", lineup(("c", "Gamma"))))
    assert [c.id for c in imported.channels(HOME)] == ["a", "b"]
    assert [c.id for c in imported.channels("home-2")] == ["c"]
    imported.forget(HOME)
    assert imported.channels(HOME) == [] and titles(imported, "a") == []
    assert imported.search(HOME, "alpha") == []
    assert [c.id for c in imported.channels("home-2")] == ["c"]


def test_vod_and_apps_replace_the_previous_ones(catalog):
    catalog.import_vod(HOME, b'[{"id": "a", "title": "A"}, {"id": "b", "title": "B"}]', name="vod.json")
    report = catalog.import_vod(HOME, b'[{"id": "c", "title": "C"}]', name="vod.json")
    assert str(report) == "vod.json: imported 1 on-demand titles"
    assert [t.id for t in catalog.vod_titles(HOME)] == ["c"]
    catalog.set_apps(HOME, [{"id": "youtube", "name": "YouTube"}, {"id": "web", "name": "Browser"}])
    catalog.set_apps(HOME, [{"id": "web", "name": "Browser"}])
    [app] = catalog.apps(HOME)
    assert (app.id, app.name) == ("web", "Browser")
