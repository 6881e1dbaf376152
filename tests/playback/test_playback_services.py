"""ContentServices: imports all or nothing, content judged at a time, resume points, threads."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from playback_helpers import AT, DEV_HOME, PARK

from twinspace.content.services import UNRATED, ContentServices
from twinspace.errors import FormatError, NotAllowed
from twinspace.home.homefile import read_home_dir
from twinspace.store.sqlite import Store


def test_import_reports_and_a_bad_file_changes_nothing(park) -> None:
    services = park.services
    assert "guide.xml: imported 545 programmes on 10 channels" in services.last_report
    assert "vod.json: imported 8 on-demand titles" in services.last_report
    bundle = read_home_dir(DEV_HOME)
    broken = {**bundle.files, "vod.json": b'[{"id": "x", "title": "X"},\n {"id": 5}]'}
    with pytest.raises(FormatError, match=r"vod.json: \[1\]\.id"):
        services.import_home_content(bundle.home, broken)
    assert len(services.catalog.vod_titles(PARK)) == 8
    assert len(services.catalog.channels(PARK)) == 10
    assert not park.store.conn.in_transaction


def test_a_channel_is_rated_by_what_airs_at_the_time_asked(park) -> None:
    services = park.services
    night = services.resolve(PARK, "channel:cinemaplus.kr", at=AT)
    assert (night.name, night.rating, night.airing.title) == ("Cinema Plus", "19", "Night Runner")
    assert night.title == "Cinema Plus (now: Night Runner)"
    assert services.resolve(PARK, "channel:cinemaplus.kr", at=AT + timedelta(minutes=20)).rating == "ALL"
    off_guide = services.resolve(PARK, "channel:cinemaplus.kr", at=AT + timedelta(days=30))
    assert off_guide.rating == UNRATED and not services.allowed(off_guide.rating, "18")
    assert services.at(AT + timedelta(minutes=20)).resolve(PARK, "channel:cinemaplus.kr").rating == "ALL"
    assert services.resolve(PARK, "vod:starfall").duration_s == 7800
    with pytest.raises(NotAllowed, match="Midnight Case Files is rated 19"):
        services.resolve(PARK, "vod:midnight-case", max_rating="7")
    assert services.title_of(PARK, "vod:gone") == "vod:gone"


def test_resume_points_are_kept_per_person_and_survive_a_restart(park, tmp_path) -> None:
    park.services.save_resume(PARK, "minji", "vod:starfall", 1234.5, AT)
    park.services.save_resume(PARK, "minji", "channel:news24.kr", 10, AT)  # live: nothing to keep
    park.services.save_resume(PARK, "minji", "vod:starfall", 1300, AT + timedelta(seconds=60))
    store = Store(park.store.path)
    again = ContentServices(store)
    try:
        point = again.resume_point(PARK, "minji", "vod:starfall")
        assert point.position_s == 1300 and point.updated_at == AT + timedelta(seconds=60)
        assert again.resume_point(PARK, "joon", "vod:starfall") is None
        assert again.resume_point(PARK, "minji", "channel:news24.kr") is None
        assert store.schema_version >= 3
    finally:
        again.close()
        store.close()


def test_continue_watching_respects_the_rating_limit(park) -> None:
    for ref in ("vod:harbor-lights", "vod:tiny-chef"):
        park.services.save_resume(PARK, "joon", ref, 600, AT)  # e.g. watched before his limit was set
    items = park.services.continue_watching(park.home(PARK), "joon", AT)
    assert [i.content for i in items] == ["vod:tiny-chef"]


def test_catalogue_calls_from_many_threads(park) -> None:
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(40):
                assert park.services.now_on(PARK, "sportsone.kr", AT).title == "Premier League Highlights"
                park.services.catalog.search(PARK, "football", at=AT)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def write() -> None:
        try:
            for i in range(40):
                park.services.save_resume(PARK, "minji", "vod:starfall", 100 + i, AT)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=read) for _ in range(3)] + [threading.Thread(target=write)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
