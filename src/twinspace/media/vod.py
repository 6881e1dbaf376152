"""On-demand media files: a media folder's own files, or generated demo clips for catalogue titles.

Files are served as they are, with HTTP byte ranges. For HLS, a file is repackaged once
without re-encoding (`-c copy`) into fragmented MP4 in a single file with a byte-range
playlist, cached beside it and redone when the source changes.

Demo titles (a home's vod.json entries with no file) get a short stand-in clip: the test
picture with the title and the playback position drawn on it, made once and cached. Files
are written under temporary names and renamed, so a failed run leaves nothing half-made.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from twinspace.content.vod import VodTitle
from twinspace.media import picture, scan, tools
from twinspace.media.directory import valid_id
from twinspace.media.hls import PLAYLIST
from twinspace.media.picture import Label, Picture

HLS_DIR = "hls"
HLS_MEDIA = "media.m4s"
_STAMP = "source.txt"


@dataclass(frozen=True)
class VodOptions:
    demo_clip_s: float = 60.0
    hls_segment_s: float = 4.0
    timeout_s: float = 180.0
    picture: Picture = field(default_factory=lambda: Picture(video_kbps=400))


class VodLibrary:
    def __init__(self, cache: Path, folders: list[Path], options: VodOptions = VodOptions()) -> None:
        self.cache = cache
        self.folders = folders
        self.options = options
        self._locks: dict[str, asyncio.Lock] = {}

    def library_file(self, title_id: str) -> Optional[Path]:
        """The media-folder file whose title id this is, if any."""
        for folder in self.folders:
            if folder.is_dir():
                found = scan.media_files(folder).get(title_id)
                if found is not None:
                    return found
        return None

    async def demo_clip(self, title: VodTitle) -> Path:
        folder = self._folder(title.id)
        clip = folder / "clip.mp4"
        async with self._lock(title.id):
            if not clip.is_file():
                await asyncio.to_thread(self._make_clip, title, folder, clip)
        return clip

    async def hls(self, title_id: str, source: Path) -> Path:
        """The folder holding the title's HLS playlist and media, packaged from `source` if needed."""
        target = self._folder(title_id) / HLS_DIR
        stamp = f"{source.resolve()}\n{source.stat().st_mtime_ns}\n"
        async with self._lock(title_id):
            if not _read(target / _STAMP) == stamp or not (target / PLAYLIST).is_file():
                await asyncio.to_thread(self._package, title_id, source, target, stamp)
        return target

    # --- ffmpeg runs ---------------------------------------------------------------------

    def _make_clip(self, title: VodTitle, folder: Path, clip: Path) -> None:
        o, p = self.options, self.options.picture
        folder.mkdir(parents=True, exist_ok=True)
        picture.write_label(folder / "title.txt", title.title)
        picture.write_label(folder / "kind.txt", f"On demand · {title.kind}")
        picture.write_label(folder / "position.txt", picture.POSITION, expand=True)
        labels = [Label("kind.txt", "24", "48", 26), Label("position.txt", "w-tw-24", "24", 30),
                  Label("title.txt", "(w-tw)/2", "h-th-32", 30)]
        tmp = folder / "clip.tmp.mp4"
        try:
            tools.run([tools.FFMPEG, "-y", "-hide_banner", "-loglevel", "error", "-nostdin",
                       *picture.source_args(p, title.id, realtime=False, duration_s=o.demo_clip_s),
                       "-vf", picture.draw_filter(labels), *picture.encode_args(p, keyframe_s=2.0),
                       "-shortest", "-movflags", "+faststart", tmp.name],
                      cwd=folder, timeout=o.timeout_s, what=f"making the demo clip for {title.id!r}")
            os.replace(tmp, clip)
        finally:
            tmp.unlink(missing_ok=True)

    def _package(self, title_id: str, source: Path, target: Path, stamp: str) -> None:
        tmp = target.with_name(HLS_DIR + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            tools.run([tools.FFMPEG, "-y", "-hide_banner", "-loglevel", "error", "-nostdin",
                       "-i", str(source.resolve()), "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy",
                       "-f", "hls", "-hls_time", f"{self.options.hls_segment_s:g}", "-hls_playlist_type", "vod",
                       "-hls_segment_type", "fmp4", "-hls_flags", "single_file+independent_segments",
                       "-hls_segment_filename", HLS_MEDIA, PLAYLIST],
                      cwd=tmp, timeout=self.options.timeout_s, what=f"packaging {source.name} as HLS")
            (tmp / _STAMP).write_text(stamp)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------

    def _folder(self, title_id: str) -> Path:
        if not valid_id(title_id):  # callers validate; the id becomes a path
            raise ValueError(title_id)
        return self.cache / title_id

    def _lock(self, title_id: str) -> asyncio.Lock:
        return self._locks.setdefault(title_id, asyncio.Lock())


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None
