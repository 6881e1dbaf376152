"""A media folder: video files found by extension, identified by file stem, probed with ffprobe."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Any

from twinspace.errors import FormatError, NotFound
from twinspace.media import tools
from twinspace.media.directory import valid_id

MEDIA_EXTENSIONS = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".ts"})
PROBE_TIMEOUT_S = 30.0


def title_id(path: Path) -> str:
    """The id of a file's title: its stem, lower-cased, other characters as dashes."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-._")
    slug = re.sub(r"\.{2,}", ".", slug)
    return slug if valid_id(slug) else f"file-{zlib.crc32(path.name.encode()):08x}"


def media_files(folder: Path) -> dict[str, Path]:
    """Video files under `folder` by title id (hidden files and folders are skipped)."""
    if not folder.is_dir():
        raise NotFound(f"there is no media folder at {folder}")
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*"), key=lambda p: str(p).casefold()):
        relative = path.relative_to(folder)
        if path.suffix.lower() not in MEDIA_EXTENSIONS or any(p.startswith(".") for p in relative.parts):
            continue
        if not path.is_file():
            continue
        key = title_id(path)
        if key in found:
            raise FormatError(str(path), "", f"has the same title id {key!r} as {found[key]}; rename one of them")
        found[key] = path
    return found


def probe(path: Path) -> dict[str, Any]:
    """ffprobe's view of a file (format and streams); FormatError naming the file if it cannot read it."""
    args = [tools.FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        out = tools.run(args, timeout=PROBE_TIMEOUT_S, what=f"reading {path}")
    except tools.ToolFailed as e:
        raise FormatError(str(path), "", f"ffprobe cannot read it as media: {e.reason}") from None
    return json.loads(out)


def vod_entry(path: Path, info: dict[str, Any]) -> dict[str, Any]:
    """A title in the shape of the home format's vod.json."""
    fmt = info.get("format", {})
    kinds = {s.get("codec_type") for s in info.get("streams", [])}
    if "video" not in kinds and "audio" not in kinds:
        raise FormatError(str(path), "", "has neither video nor audio")
    tags = {k.lower(): v for k, v in (fmt.get("tags") or {}).items()}
    entry: dict[str, Any] = {
        "id": title_id(path),
        "title": str(tags.get("title") or "").strip() or _readable(path.stem),
        "kind": "movie" if "video" in kinds else "audio",
    }
    try:
        entry["duration_s"] = max(1, round(float(fmt["duration"])))
    except (KeyError, TypeError, ValueError):
        pass  # a stream without a known length (e.g. a raw .ts) simply has no duration
    return entry


def scan_media_folder(path: str | Path) -> list[dict[str, Any]]:
    """On-demand entries for every video file under `path`, in path order (ignoring case)."""
    return [vod_entry(file, probe(file)) for file in media_files(Path(path)).values()]


def _readable(stem: str) -> str:
    words = re.sub(r"[_.-]+", " ", stem).strip() or stem
    return words[:1].upper() + words[1:]
