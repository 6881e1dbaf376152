"""The ffmpeg and ffprobe binaries, and the one error every media failure becomes.

The binary names are module attributes so a test (or an unusual install) can point them
elsewhere. One-shot runs always finish or are killed at their timeout: no process is
left behind, and a failure reports the last line ffmpeg wrote, which is usually the reason.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Sequence

from twinspace.errors import TwinspaceError

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian fonts-dejavu-core


class MediaUnavailable(TwinspaceError):
    """The hub cannot produce the media right now (no ffmpeg, an encoder failed or timed out)."""

    status = 503
    title = "Media unavailable"
    slug = "media-unavailable"


class ToolFailed(MediaUnavailable):
    """The tool ran and exited non-zero; `reason` is its last line of output."""

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


def not_installed(binary: str) -> MediaUnavailable:
    name = Path(binary).name
    return MediaUnavailable(f"{name} is not installed; run scripts/system-deps "
                            "(or: sudo apt-get install ffmpeg)")


def last_line(text: str | bytes) -> str:
    """The last non-empty line of a tool's output: ffmpeg puts the reason for failing there."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def run(args: Sequence[str], *, timeout: float, cwd: Path | None = None, what: str) -> str:
    """Run a tool to completion and return its stdout; MediaUnavailable on any failure.

    `what` names the job in the error ("making the demo clip for 'big-wave'").
    """
    try:
        done = subprocess.run(list(args), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, check=False)
    except FileNotFoundError:
        raise not_installed(args[0]) from None
    except subprocess.TimeoutExpired:  # subprocess.run has killed and reaped it
        raise MediaUnavailable(f"{Path(args[0]).name} took longer than {timeout:.0f} s {what}") from None
    if done.returncode != 0:
        reason = last_line(done.stderr)
        raise ToolFailed(f"{Path(args[0]).name} failed {what}: {reason}", reason)
    return done.stdout.decode("utf-8", "replace")
