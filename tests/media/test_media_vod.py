"""On-demand media: byte ranges, demo clips, HLS packaging, who may fetch, and the folder scan."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from fastapi.testclient import TestClient

from twinspace.content.vod import parse_vod
from twinspace.errors import FormatError
from twinspace.media import Media, scan_media_folder, tools
from twinspace.media.vod import VodOptions


def make_clip(ffmpeg: str, path: Path, seconds: float = 2, title: str | None = None) -> Path:
    """A tiny real video file (64x36, a tone), the way a household's own file would look."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = ["-metadata", f"title={title}"] if title else []
    subprocess.run([ffmpeg, "-y", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size=64x36:rate=10:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", *tag, str(path)],
                   check=True, timeout=60)
    return path


def test_byte_ranges_on_a_library_file(client: TestClient, media: Media, token: Callable[..., str]) -> None:
    data = bytes(range(256)) * 40
    library = media.folders[0]
    library.mkdir(parents=True)
    (library / "Home Movie.mp4").write_bytes(data)  # served as is: no ffmpeg involved
    auth = {"Authorization": f"Bearer {token()}"}

    whole = client.get("/media/vod/home-movie", headers=auth)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-type"] == "video/mp4"

    part = client.get("/media/vod/home-movie", headers={**auth, "Range": "bytes=1000-1499"})
    assert part.status_code == 206
    assert part.content == data[1000:1500]
    assert part.headers["content-range"] == f"bytes 1000-1499/{len(data)}"

    tail = client.get(f"/media/vod/home-movie?token={token()}", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:], "?token= works for <video src>"

    head = client.head("/media/vod/home-movie", headers=auth)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data)) and not head.content


def test_vod_needs_a_token_and_respects_ratings(client: TestClient, token: Callable[..., str]) -> None:
    assert client.get("/media/vod/big-wave").status_code == 401
    assert client.get("/media/vod/big-wave?token=wrong").status_code == 401
    refused = client.get("/media/vod/paper-moon-city", headers={"Authorization": f"Bearer {token('sam')}"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Paper Moon City is rated 15, above Sam's limit of 12"


@pytest.mark.parametrize("title_id", ["nope", "..", "..%2F..%2Ftwinspace.db", "%2e%2e", ".hidden"])
def test_unknown_titles_and_traversal_are_404(client: TestClient, token: Callable[..., str], title_id: str) -> None:
    r = client.get(f"/media/vod/{title_id}?token={token()}")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.slow
def test_demo_clip_is_generated_once_and_served_as_file_and_hls(
        client: TestClient, media: Media, token: Callable[..., str], ffmpeg: str) -> None:
    media.vod.options = VodOptions(demo_clip_s=4, hls_segment_s=2)
    key = token("alex")
    first = client.get(f"/media/vod/big-wave?token={key}", headers={"Range": "bytes=0-99"})
    assert first.status_code == 206 and len(first.content) == 100
    clip = media.vod.cache / "big-wave" / "clip.mp4"
    made = clip.stat().st_mtime_ns
    assert client.get(f"/media/vod/big-wave?token={key}").content == clip.read_bytes()
    assert clip.stat().st_mtime_ns == made, "cached, not made again"
    info = json.loads(subprocess.run([tools.FFPROBE, "-v", "error", "-print_format", "json", "-show_format",
                                      str(clip)], capture_output=True, check=True).stdout)
    assert 3.5 < float(info["format"]["duration"]) < 4.5

    playlist = client.get(f"/media/vod/big-wave/index.m3u8?token={key}")
    assert playlist.status_code == 200 and playlist.headers["content-type"] == "application/vnd.apple.mpegurl"
    text = playlist.text
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and "#EXT-X-ENDLIST" in text
    assert f'URI="media.m4s?token={key}"' in text, "the init section carries the token"
    length, offset = map(int, re.search(r"#EXT-X-BYTERANGE:(\d+)@(\d+)", text).groups())
    segment = client.get(f"/media/vod/big-wave/media.m4s?token={key}",
                         headers={"Range": f"bytes={offset}-{offset + length - 1}"})
    assert segment.status_code == 206 and len(segment.content) == length
    assert b"moof" in segment.content and b"mdat" in segment.content, "a fragmented-MP4 segment"
    with_header = client.get("/media/vod/big-wave/index.m3u8", headers={"Authorization": f"Bearer {key}"})
    assert "token=" not in with_header.text, "a player sending the header needs no token in the URLs"


@pytest.mark.slow
def test_scan_media_folder(tmp_path: Path, ffmpeg: str) -> None:
    folder = tmp_path / "Movies"
    make_clip(ffmpeg, folder / "Summer_Trip.mp4")
    make_clip(ffmpeg, folder / "shows" / "pilot.mkv", title="The Pilot")
    (folder / "notes.txt").write_text("not media")
    (folder / ".cache" / "x.mp4").parent.mkdir()
    (folder / ".cache" / "x.mp4").write_bytes(b"hidden: not scanned")

    entries = scan_media_folder(folder)
    assert entries == [
        {"id": "pilot", "title": "The Pilot", "kind": "movie", "duration_s": 2},  # title from its metadata
        {"id": "summer_trip", "title": "Summer Trip", "kind": "movie", "duration_s": 2},
    ]
    assert [t.id for t in parse_vod(json.dumps(entries).encode(), name="scan")] == ["pilot", "summer_trip"]

    (folder / "broken.mp4").write_bytes(b"this is not a video")
    with pytest.raises(FormatError) as failure:
        scan_media_folder(folder)
    assert failure.value.file == str(folder / "broken.mp4")
    assert "ffprobe cannot read it as media" in failure.value.detail


def test_scan_without_ffprobe_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.mp4").write_bytes(b"x")
    monkeypatch.setattr(tools, "FFPROBE", "ffprobe-that-is-not-installed")
    with pytest.raises(tools.MediaUnavailable, match="is not installed; run scripts/system-deps"):
        scan_media_folder(tmp_path)
