"""Item 10: demo live channels answer only their own home (a token, or a signed expiring link
the content API hands out), and /docs loads nothing from a CDN."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from support import DEMO_NOW, shared_path
from twinspace import access
from twinspace.config import Settings
from twinspace.content.m3u import parse_m3u
from twinspace.demo import write_demo_home
from twinspace.home.homefile import read_home_dir
from twinspace.hub_key import database_key
from twinspace.media.live import LiveOptions
from twinspace.media.signing import signed_live_url
from twinspace.runtime import open_hub
from twinspace.server.app import create_app

LOFT, PARK = "demo-loft", "park-family"
QUICK = LiveOptions(segment_s=1, window=2, ready_segments=1, start_timeout_s=15)


@pytest.fixture
def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        pytest.skip("ffmpeg is not installed (scripts/system-deps installs it)")
    return found


@pytest.fixture
def two_homes(tmp_path: Path):  # noqa: ANN201 - (hub, client, loft token, park token)
    hub = open_hub(Settings(tmp_path / "data"))
    hub.import_bundle(read_home_dir(write_demo_home(tmp_path / "loft", DEMO_NOW)))
    hub.import_bundle(read_home_dir(shared_path("fixtures", "dev-home")))
    loft = access.issue_token(hub.store, LOFT, "alex", "Alex's Quest", role="owner").token
    park = access.issue_token(hub.store, PARK, "minji", "Minji's Quest", role="owner").token
    app = create_app(hub)
    with TestClient(app) as client:
        app.state.media.live.options = QUICK
        yield hub, client, loft, park
    hub.services.close()
    hub.store.close()


def test_no_token_no_channel_and_no_other_homes_channel(two_homes) -> None:
    hub, client, loft, park = two_homes
    r = client.get("/demo/live/sportsone.kr/index.m3u8")  # the park's channel, no token
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert client.get("/demo/live/sportsone.kr/seg_1.ts").status_code == 401
    other = client.get("/demo/live/sportsone.kr/index.m3u8", headers={"Authorization": f"Bearer {loft}"})
    assert other.status_code == 404  # the same answer as for a channel that does not exist
    key = database_key(hub.store.path)
    link = signed_live_url(key, LOFT, "arena.demo")
    stolen = link.replace("arena.demo", "sportsone.kr", 1)  # the loft's signature, for the park's channel
    assert client.get(stolen).status_code == 403
    forged = link.replace(f"home={LOFT}", f"home={PARK}")
    assert client.get(forged).status_code == 403
    expired = signed_live_url(key, LOFT, "arena.demo", now=time.time() - 13 * 3600)
    r = client.get(expired)
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_the_channel_list_hands_out_signed_links_that_play(two_homes, ffmpeg_path: str) -> None:
    hub, client, loft, park = two_homes
    rows = client.get(f"/api/v1/homes/{PARK}/channels", headers={"Authorization": f"Bearer {park}"}).json()
    sports = next(r["channel"] for r in rows if r["channel"]["id"] == "sportsone.kr")
    assert re.fullmatch(r"/demo/live/sportsone\.kr/index\.m3u8\?home=park-family&exp=\d+&sig=[0-9a-f]{32}",
                        sports["stream_url"])
    playlist = client.get(sports["stream_url"])  # as a <video> element would: no header, no token
    assert playlist.status_code == 200
    query = sports["stream_url"].split("?", 1)[1]
    segment = next(line for line in playlist.text.splitlines() if line.startswith("seg_"))
    assert segment.endswith("?" + query)  # the segments carry the same signature
    assert client.get(f"/demo/live/sportsone.kr/{segment}").status_code == 200
    assert client.get(f"/demo/live/sportsone.kr/{segment.split('?')[0]}").status_code == 401
    encoder = client.app.state.media.live.encoders[f"{PARK}/sportsone.kr"]
    assert encoder.channel.home_id == PARK  # its picture shows the park's guide, nobody else's


def test_an_iptv_player_gets_the_lineup_with_signed_links(two_homes) -> None:
    hub, client, loft, park = two_homes
    assert client.get(f"/api/v1/homes/{PARK}/channels.m3u").status_code == 401
    assert client.get(f"/api/v1/homes/{PARK}/channels.m3u?token={loft}").status_code == 403
    r = client.get(f"/api/v1/homes/{PARK}/channels.m3u?token={park}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("audio/x-mpegurl")
    lineup = parse_m3u(r.content, name="channels.m3u")
    sports = next(c for c in lineup.channels if c.id == "sportsone.kr")
    assert sports.url.startswith("http://testserver/demo/live/sportsone.kr/index.m3u8?home=park-family&exp=")
    assert len(lineup.channels) == len(hub.services.catalog.channels(PARK))


def test_a_bundled_channel_shows_only_the_asking_homes_guide(two_homes) -> None:
    hub, client, loft, park = two_homes
    directory = client.app.state.media.directory
    at = DEMO_NOW
    assert directory.title_now("arena.demo", at, home_id=LOFT)  # the loft's guide lists it
    assert directory.title_now("arena.demo", at, home_id=PARK) is None  # the park's guide does not
    played_for_park = directory.channel("arena.demo", PARK)  # bundled, not in the park's lineup
    assert played_for_park is not None and played_for_park.home_id == PARK and played_for_park.key != "arena.demo"
    assert directory.channel("arena.demo", LOFT).home_id == LOFT


def test_docs_load_nothing_from_a_cdn(two_homes) -> None:
    _, client, _, _ = two_homes
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        urls = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert urls and all(u.startswith("/") for u in urls), urls
        for u in urls:
            assert client.get(u).status_code == 200, u
