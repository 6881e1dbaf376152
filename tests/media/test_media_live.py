"""Live demo channels: the encoder's sliding window, its lifecycle, and the HTTP edge."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.media import tools
from twinspace.media.directory import DemoChannel, Directory, valid_id
from twinspace.media.hls import PLAYLIST
from twinspace.media.live import LiveChannels, LiveOptions

# Short segments and a short window keep ffmpeg to a few seconds per test.
QUICK = LiveOptions(segment_s=1, window=2, ready_segments=1, start_timeout_s=15)
NEWS = DemoChannel("hubnews.demo", "Hub News")
SPORT = DemoChannel("arena.demo", "Arena Sports")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def segments_in(folder: Path) -> list[str]:
    return [line for line in (folder / PLAYLIST).read_text().splitlines() if line.startswith("seg_")]


@pytest.mark.slow
def test_encoder_writes_a_sliding_window(tmp_path: Path, hub: Hub, ffmpeg: str) -> None:
    live = LiveChannels(tmp_path / "live", Directory(hub), QUICK)

    async def scenario() -> tuple[list[str], list[str], list[str], set[str]]:
        playlist = (await live.playlist(NEWS)).decode()
        first = [line for line in playlist.splitlines() if line.startswith("seg_")]
        folder = live.encoders[NEWS.id].directory
        deadline = time.monotonic() + 15
        while (folder / first[0]).exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        later = segments_in(folder)
        on_disk = sorted(p.name for p in folder.glob("seg_*.ts"))
        process = live.encoders[NEWS.id].process
        await live.stop_all()
        return first, later, on_disk, {str(process.returncode is not None), str(folder.exists())}

    first, later, on_disk, after_stop = asyncio.run(scenario())
    assert first, "the playlist lists a segment as soon as it answers"
    assert first[0] not in later and len(later) == QUICK.window, "the window moved on"
    assert first[0] not in on_disk and len(on_disk) <= QUICK.window + 2, "old segments are deleted"
    assert after_stop == {"True", "False"}, "stopped: the process is reaped and its folder removed"


@pytest.mark.slow
def test_idle_encoder_stops_and_title_follows_the_guide(tmp_path: Path, hub: Hub, ffmpeg: str) -> None:
    titles = {"hubnews.demo": "Morning Headlines"}
    clock = Clock()
    live = LiveChannels(tmp_path / "live", Directory(hub, title_now=lambda ch, at: titles.get(ch)),
                        replace(QUICK, idle_s=60), clock=clock)

    async def scenario() -> None:
        await live.playlist(NEWS)
        encoder = live.encoders[NEWS.id]
        assert (encoder.directory / "title.txt").read_text() == "Morning Headlines"
        titles["hubnews.demo"] = "World Today: 100% live"
        clock.now += 30
        await live.sweep()
        assert live.encoders[NEWS.id] is encoder, "still in use: not stopped"
        assert (encoder.directory / "title.txt").read_text() == "World Today: 100\\% live", "escaped for drawtext"
        clock.now += 61
        await live.sweep()
        assert NEWS.id not in live.encoders
        assert encoder.process.returncode is not None and not encoder.directory.exists()

    asyncio.run(scenario())


@pytest.mark.slow
def test_at_most_max_encoders_run_and_the_oldest_idle_goes_first(tmp_path: Path, hub: Hub, ffmpeg: str) -> None:
    clock = Clock()
    live = LiveChannels(tmp_path / "live", Directory(hub), replace(QUICK, max_encoders=1),
                        clock=clock)

    async def scenario() -> None:
        await live.playlist(NEWS)
        news = live.encoders[NEWS.id]
        clock.now += 5
        await live.playlist(SPORT)
        assert list(live.encoders) == [SPORT.id]
        assert news.process.returncode is not None, "the older encoder was stopped and reaped"
        await live.stop_all()

    asyncio.run(scenario())


def test_channel_playlist_over_http(client: TestClient, media, ffmpeg: str, token) -> None:
    media.live.options = QUICK
    r = client.get("/demo/live/arena.demo/index.m3u8", headers={"Authorization": f"Bearer {token('alex')}"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert r.headers["cache-control"] == "no-cache"
    segment = next(line for line in r.text.splitlines() if line.startswith("seg_"))
    s = client.get(f"/demo/live/arena.demo/{segment}", headers={"Authorization": f"Bearer {token('alex')}"})
    assert s.status_code == 200 and s.headers["content-type"] == "video/mp2t"
    assert s.content[:1] == b"\x47", "an MPEG-TS packet"
    folder = media.live.encoders["demo-loft/arena.demo"].directory  # one encoder per home
    assert (folder / "title.txt").read_text() == "Tennis Classics", "the programme on air at 20:05 UTC"
    assert (folder / "name.txt").read_text() == "Arena Sports"


def test_missing_ffmpeg_is_a_503_problem(client: TestClient, monkeypatch: pytest.MonkeyPatch, token) -> None:
    monkeypatch.setattr(tools, "FFMPEG", "ffmpeg-that-is-not-installed")
    r = client.get(f"/demo/live/arena.demo/index.m3u8?token={token('alex')}")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"].startswith("ffmpeg-that-is-not-installed is not installed; run scripts/system-deps")


def test_failing_ffmpeg_is_a_503_problem_and_reaped(client: TestClient, media,
                                                     monkeypatch: pytest.MonkeyPatch, token) -> None:
    monkeypatch.setattr(tools, "FFMPEG", "false")  # exits at once, without a playlist
    r = client.get(f"/demo/live/arena.demo/index.m3u8?token={token('alex')}")
    assert r.status_code == 503
    assert "the demo encoder for 'arena.demo' stopped" in r.json()["detail"]
    assert media.live.encoders == {}


@pytest.mark.parametrize("path", [
    "/demo/live/nope.demo/index.m3u8",  # not a demo channel
    "/demo/live/../index.m3u8",
    "/demo/live/..%2F..%2Fetc/index.m3u8",
    "/demo/live/%2e%2e/index.m3u8",
    "/demo/live/arena.demo/..%2F..%2Ftwinspace.db",
    "/demo/live/arena.demo/ffmpeg.pid",  # in the channel folder, but not a segment
    "/demo/live/arena.demo/seg_1.ts",  # a segment name, but the channel is not running
])
def test_unknown_channels_and_path_traversal_are_404(client: TestClient, path: str, token) -> None:
    r = client.get(path, headers={"Authorization": f"Bearer {token('alex')}"})
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("text, ok", [
    ("news24.kr", True), ("arena.demo", True), ("a_b-c", True),
    ("..", False), ("a..b", False), (".hidden", False), ("a/b", False), ("a\\b", False), ("", False),
    ("x" * 200, False), ("trailing.", False), ("sp ace", False),
])
def test_ids_are_strict(text: str, ok: bool) -> None:
    assert valid_id(text) is ok


def test_dev_home_channels_map_by_tvg_id(store, shared_home: Path) -> None:
    hub = Hub(store)
    hub.import_bundle(read_home_dir(shared_home))
    directory = Directory(hub)
    channel = directory.channel("sportsone.kr")
    assert channel is not None and channel.name == "Sports One"
    at = datetime(2026, 11, 28, 11, 5, tzinfo=timezone.utc)  # 20:05 in Seoul
    assert directory.title_now("sportsone.kr", at) == "Premier League Highlights"
    assert directory.channel("hubnews.demo") is not None, "the bundled demo channels are always there"
    assert directory.channel("unknown.kr") is None


def test_live_segments_carry_their_wall_clock_time(client: TestClient, media, ffmpeg: str, token) -> None:
    """Watch groups align live players on EXT-X-PROGRAM-DATE-TIME (docs/cowatch.md)."""
    from datetime import datetime, timezone
    media.live.options = QUICK
    r = client.get("/demo/live/arena.demo/index.m3u8", headers={"Authorization": f"Bearer {token('alex')}"})
    assert r.status_code == 200, r.text
    text = r.text
    stamps = [datetime.fromisoformat(line.split(":", 1)[1]) for line in text.splitlines()
              if line.startswith("#EXT-X-PROGRAM-DATE-TIME:")]
    assert stamps and len(stamps) == sum(1 for line in text.splitlines() if line.startswith("seg_"))
    assert stamps == sorted(stamps)
    assert abs((datetime.now(timezone.utc) - stamps[-1]).total_seconds()) < 30
