"""Item 15: XMLTV named zones, stop-less programmes replaced by later ones, and honest duplicate reports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from support import shared_path
from twinspace.content.catalog import Catalog
from twinspace.content.xmltv import GuideReader, parse_time
from twinspace.store.sqlite import Store

XMLTV = shared_path("external", "xmltv", "xmltv-project")


def test_named_zones_of_the_xmltv_test_files_are_read() -> None:
    assert parse_time("200007281733 BST") == datetime(2000, 7, 28, 16, 33, tzinfo=timezone.utc)
    assert parse_time("20020211000000 MST").utcoffset() == timedelta(hours=-7)
    skipped_for_time, read = 0, 0
    for path in sorted(XMLTV.rglob("*.xml")):
        reader = GuideReader(path)
        read += sum(1 for _ in reader.programmes())
        skipped_for_time += sum(n for reason, n in reader.skipped.counts.items() if "unparsable" in reason)
    assert skipped_for_time == 0  # before: 206 programmes skipped as "unparsable start time"
    assert read >= 30


def _guide(*programmes: str) -> bytes:
    return ("<tv>" + "".join(programmes) + "</tv>").encode()


def _p(start: str, title: str, stop: str | None = None) -> str:
    stop_attr = f' stop="{stop}"' if stop else ""
    return f'<programme channel="c" start="{start}"{stop_attr}><title>{title}</title></programme>'


def test_a_stop_less_programme_replaced_by_a_later_one_is_reported() -> None:
    reader = GuideReader(_guide(_p("20261128100000 +0000", "Early"), _p("20261128090000 +0000", "Out of order"),
                                _p("20261128120000 +0000", "Last", "20261128130000 +0000")), name="g.xml")
    titles = [p.title for p in reader.programmes()]
    assert titles == ["Out of order", "Last"]
    assert reader.skipped.total == 1
    assert reader.skipped.examples == ["line 1: no stop time, and the next programme on its channel starts "
                                       "before it (Early)"]


def test_the_later_duplicate_is_the_one_stored_and_reported(tmp_path) -> None:
    store = Store(tmp_path / "t.db")
    catalog = Catalog(store.conn)
    report = catalog.import_guide("h", _guide(
        _p("20261128100000 +0000", "Earlier, no stop"),
        _p("20261128100000 +0000", "Later, with stop", "20261128110000 +0000"),
        _p("20261128110000 +0000", "Next", "20261128120000 +0000")), name="g.xml")
    stored = [t for (t,) in store.conn.execute("SELECT title FROM content_programme ORDER BY start_utc")]
    assert stored == ["Later, with stop", "Next"]
    assert "1 × repeated a channel and start time; the later entry was kept" in str(report)
    store.close()
