"""The demo test picture: a moving pattern with labels drawn on it, and a tone.

Live channels and demo on-demand clips share it, so both look alike and cost the same:
640x360 at 15 fps, H.264 (ultrafast) and mono AAC at a few hundred kbit/s.

Labels are drawn from small text files rather than from the filter string: the hub can
rewrite them while ffmpeg runs (`reload=1`), and file content needs no filtergraph
quoting. drawtext still expands `%{...}` and backslashes in it, which `write_label`
escapes, so a title is always drawn as written.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from twinspace.media import tools

CLOCK = "%{localtime:%T}"  # wall clock, for live channels
POSITION = "%{pts:hms}"  # position in the clip, for on-demand titles


@dataclass(frozen=True)
class Picture:
    width: int = 640
    height: int = 360
    fps: int = 15
    video_kbps: int = 500
    audio_kbps: int = 64

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class Label:
    """A text file drawn at a place on the picture. `x`/`y` are drawtext expressions."""

    file: str  # a bare file name, relative to ffmpeg's working directory
    x: str
    y: str
    size: int
    reload: bool = False


def write_label(path: Path, text: str, *, expand: bool = False) -> None:
    """Write a label file atomically (ffmpeg may be reading it every frame).

    Unless `expand`, the text is escaped so drawtext shows it verbatim; control characters
    become spaces so a title cannot break the layout.
    """
    if not expand:
        text = "".join(c if c.isprintable() else " " for c in text)
        text = text.replace("\\", "\\\\").replace("%", "\\%")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def tone_hz(key: str) -> int:
    """A stable tone per channel or title, so two demo streams are told apart by ear too."""
    return 220 + 55 * (zlib.crc32(key.encode()) % 12)


def source_args(picture: Picture, key: str, *, realtime: bool, duration_s: float | None = None) -> list[str]:
    """Inputs: the moving test pattern and a sine tone; `realtime` paces them like a live feed."""
    limit = f":duration={duration_s:g}" if duration_s is not None else ""
    pace = ["-re"] if realtime else []
    return [*pace, "-f", "lavfi", "-i", f"testsrc2=size={picture.size}:rate={picture.fps}{limit}",
            *pace, "-f", "lavfi", "-i", f"sine=frequency={tone_hz(key)}:sample_rate=48000{limit}"]


def draw_filter(labels: list[Label]) -> str:
    font = f"fontfile={tools.FONT}:" if _safe_in_filter(str(tools.FONT)) and tools.FONT.is_file() else ""
    return ",".join(
        f"drawtext={font}textfile={label.file}:reload={int(label.reload)}:x={label.x}:y={label.y}:"
        f"fontsize={label.size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8"
        for label in labels)


def encode_args(picture: Picture, keyframe_s: float) -> list[str]:
    """H.264 + AAC with a keyframe every `keyframe_s`, so HLS segments can cut there."""
    gop = max(1, round(picture.fps * keyframe_s))
    return ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
            "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
            "-b:v", f"{picture.video_kbps}k", "-maxrate", f"{picture.video_kbps}k",
            "-bufsize", f"{2 * picture.video_kbps}k",
            "-c:a", "aac", "-b:a", f"{picture.audio_kbps}k", "-ac", "1"]


def _safe_in_filter(text: str) -> bool:
    # Characters with a meaning in filtergraph syntax; the Debian path has none of them.
    return not any(c in text for c in ":,;[]'\\=")
