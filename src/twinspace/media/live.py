"""Live demo channels: one ffmpeg encoder per channel, started on demand, stopped when idle.

Each encoder writes a sliding-window HLS stream (a few short segments; older ones are
deleted by ffmpeg) into `<data>/media/live/<channel>/`. The lifecycle:

- the first playlist request starts the channel's encoder and waits until its first
  segments exist (MediaUnavailable if ffmpeg is missing, fails or is too slow);
- every playlist or segment request marks the channel as used; a sweep every few seconds
  stops encoders unused for `idle_s`, forgets ones that died, and rewrites the title label
  when the programme changes;
- at most `max_encoders` run at once: starting one more stops the least recently used;
- the app's shutdown stops them all; encoders a killed hub left behind are found by their
  pid file and stopped when the next hub starts. Every process is waited for.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator, Callable, Optional

from twinspace.media import picture, tools
from twinspace.media.directory import DemoChannel, Directory, valid_id
from twinspace.media.hls import PLAYLIST
from twinspace.media.picture import Label, Picture

log = logging.getLogger("twinspace.media")

SEGMENT = re.compile(r"seg_\d{1,20}\.ts")
_PID_FILE = "ffmpeg.pid"
_LOG_FILE = "ffmpeg.log"
_NO_GUIDE = "No guide information"


@dataclass(frozen=True)
class LiveOptions:
    segment_s: float = 2.0
    window: int = 6  # segments in the playlist
    ready_segments: int = 2  # a new channel answers once this many exist
    idle_s: float = 60.0
    max_encoders: int = 4
    start_timeout_s: float = 20.0
    sweep_s: float = 5.0
    picture: Picture = field(default_factory=Picture)


# Processes not yet reaped, so none outlives the interpreter even if no lifespan ran.
_RUNNING: set[subprocess.Popen[bytes]] = set()


@atexit.register
def _kill_leftovers() -> None:
    for process in list(_RUNNING):
        _stop_process(process, grace_s=1.0)


def _stop_process(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM (ffmpeg closes its files), then SIGKILL after `grace_s`; always reaped."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    _RUNNING.discard(process)


class Encoder:
    """One running ffmpeg process for one channel."""

    def __init__(self, channel: DemoChannel, directory: Path, process: subprocess.Popen[bytes],
                 title: str) -> None:
        self.channel = channel
        self.directory = directory
        self.process = process
        self.title = title
        self.last_used = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def segments_listed(self) -> int:
        try:
            text = (self.directory / PLAYLIST).read_text(encoding="utf-8")
        except FileNotFoundError:
            return 0
        return sum(1 for line in text.splitlines() if SEGMENT.fullmatch(line.strip()))

    def failure(self) -> str:
        try:
            return tools.last_line((self.directory / _LOG_FILE).read_bytes())
        except FileNotFoundError:
            return "no output"

    def stop(self, grace_s: float = 3.0) -> None:
        _stop_process(self.process, grace_s)
        shutil.rmtree(self.directory, ignore_errors=True)


class LiveChannels:
    def __init__(self, root: Path, directory: Directory, options: LiveOptions = LiveOptions(),
                 *, clock: Callable[[], float] = time.monotonic) -> None:
        self.root = root
        self.directory = directory
        self.options = options
        self.clock = clock
        self.encoders: dict[str, Encoder] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, channel_id: str) -> asyncio.Lock:
        return self._locks.setdefault(channel_id, asyncio.Lock())

    # --- requests ------------------------------------------------------------------------

    async def playlist(self, channel: DemoChannel) -> bytes:
        """The channel's current playlist, starting its encoder first if needed."""
        async with self._lock(channel.key):
            encoder = self.encoders.get(channel.key)
            if encoder is None or not encoder.alive:
                if encoder is not None:
                    await self._stop(encoder, "it exited")
                encoder = await self._start(channel)
            encoder.last_used = self.clock()
            return await asyncio.to_thread((encoder.directory / PLAYLIST).read_bytes)

    async def segment(self, channel: DemoChannel, name: str) -> Optional[bytes]:
        """A segment of a running channel, or None (not running, or already out of the window)."""
        encoder = self.encoders.get(channel.key)
        if encoder is None or not SEGMENT.fullmatch(name):
            return None
        encoder.last_used = self.clock()
        try:
            return await asyncio.to_thread((encoder.directory / name).read_bytes)
        except FileNotFoundError:
            return None

    # --- starting and stopping -------------------------------------------------------------

    async def _start(self, channel: DemoChannel) -> Encoder:
        if not valid_id(channel.id) or (channel.home_id and not valid_id(channel.home_id)):  # they become paths
            raise ValueError(channel.id)
        await self._make_room()
        folder = self.root / channel.key  # <home>/<channel>: both strict ids (directory.valid_id)
        shutil.rmtree(folder, ignore_errors=True)  # a stale playlist would look ready
        folder.mkdir(parents=True)
        title = await asyncio.to_thread(self._title, channel)
        picture.write_label(folder / "name.txt", channel.name)
        picture.write_label(folder / "title.txt", title)
        picture.write_label(folder / "clock.txt", picture.CLOCK, expand=True)
        with open(folder / _LOG_FILE, "wb") as errors:
            try:
                process = subprocess.Popen(self._command(channel), cwd=folder, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=errors)
            except FileNotFoundError:
                shutil.rmtree(folder, ignore_errors=True)
                raise tools.not_installed(tools.FFMPEG) from None
        _RUNNING.add(process)
        (folder / _PID_FILE).write_text(str(process.pid))
        encoder = Encoder(channel, folder, process, title)
        self.encoders[channel.key] = encoder
        log.info("started the demo encoder for %s (pid %d)", channel.key, process.pid)
        try:
            await self._until_ready(encoder)
        except BaseException:
            await self._stop(encoder, "it did not start")
            raise
        return encoder

    async def _until_ready(self, encoder: Encoder) -> None:
        deadline = self.clock() + self.options.start_timeout_s
        while encoder.segments_listed() < self.options.ready_segments:
            if not encoder.alive:
                raise tools.MediaUnavailable(
                    f"the demo encoder for {encoder.channel.id!r} stopped: {encoder.failure()}")
            if self.clock() > deadline:
                raise tools.MediaUnavailable(
                    f"the demo encoder for {encoder.channel.id!r} produced no video within "
                    f"{self.options.start_timeout_s:.0f} s; the hub may be overloaded, try again")
            await asyncio.sleep(0.1)

    async def _make_room(self) -> None:
        while len(self.encoders) >= self.options.max_encoders:
            # Only encoders nobody is starting or reading right now (their lock is free).
            idle = [e for e in self.encoders.values() if not self._lock(e.channel.key).locked()]
            if not idle:
                raise tools.MediaUnavailable(f"{len(self.encoders)} demo channels are starting at once, the "
                                             "most this hub runs; try again in a few seconds")
            oldest = min(idle, key=lambda e: e.last_used)
            async with self._lock(oldest.channel.key):
                await self._stop(oldest, f"at most {self.options.max_encoders} demo channels run at once")

    async def _stop(self, encoder: Encoder, why: str) -> None:
        """Call with the channel's lock held: a restart must not race the folder's removal."""
        if self.encoders.get(encoder.channel.key) is encoder:
            del self.encoders[encoder.channel.key]
        log.info("stopping the demo encoder for %s: %s", encoder.channel.key, why)
        await asyncio.to_thread(encoder.stop)

    async def stop_all(self) -> None:
        encoders = list(self.encoders.values())
        self.encoders.clear()
        await asyncio.gather(*(asyncio.to_thread(e.stop) for e in encoders))

    async def sweep(self) -> None:
        """Stop idle and dead encoders; redraw titles whose programme changed."""
        now = self.clock()
        for encoder in list(self.encoders.values()):
            lock = self._lock(encoder.channel.key)
            if lock.locked():  # being started or stopped right now
                continue
            async with lock:
                if self.encoders.get(encoder.channel.key) is not encoder:
                    continue
                if not encoder.alive:
                    await self._stop(encoder, f"it exited: {encoder.failure()}")
                elif now - encoder.last_used > self.options.idle_s:
                    await self._stop(encoder, f"no requests for {self.options.idle_s:.0f} s")
                else:
                    title = await asyncio.to_thread(self._title, encoder.channel)
                    if title != encoder.title:
                        picture.write_label(encoder.directory / "title.txt", title)
                        encoder.title = title

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["LiveChannels"]:
        """For the app's lifetime: sweep periodically; stop everything at the end."""
        await asyncio.to_thread(reap_stale, self.root)

        async def sweeper() -> None:
            while True:
                await asyncio.sleep(self.options.sweep_s)
                try:
                    await self.sweep()
                except Exception:  # a sweep must never end the loop
                    log.exception("demo encoder sweep failed")

        task = asyncio.create_task(sweeper(), name="twinspace-media-sweeper")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.stop_all()

    # --- helpers -----------------------------------------------------------------------------

    def _title(self, channel: DemoChannel) -> str:
        try:
            return self.directory.title_now(channel.id, home_id=channel.home_id) or _NO_GUIDE
        except Exception:  # the picture must not depend on the guide being readable
            log.exception("cannot look up the programme on %s", channel.key)
            return _NO_GUIDE

    def _command(self, channel: DemoChannel) -> list[str]:
        o, p = self.options, self.options.picture
        labels = [Label("name.txt", "24", "48", 34, reload=True),
                  Label("clock.txt", "w-tw-24", "24", 34),
                  Label("title.txt", "24", "h-th-32", 26, reload=True)]
        return [tools.FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin",
                *picture.source_args(p, channel.id, realtime=True),
                "-vf", picture.draw_filter(labels), *picture.encode_args(p, o.segment_s),
                "-f", "hls", "-hls_time", f"{o.segment_s:g}", "-hls_list_size", str(o.window),
                "-hls_flags", "delete_segments+temp_file+independent_segments+omit_endlist+program_date_time",
                # program_date_time: each segment's wall-clock time, which watch groups align on.
                # Numbering from the clock keeps media sequence numbers rising across restarts.
                "-hls_start_number_source", "epoch", "-hls_segment_filename", "seg_%d.ts", PLAYLIST]


def reap_stale(root: Path) -> int:
    """Stop encoders a previous hub left running (found by pid file and working directory)."""
    stopped = 0
    for pid_file in [*root.glob(f"*/{_PID_FILE}"), *root.glob(f"*/*/{_PID_FILE}")]:  # bundled, per home
        try:
            pid = int(pid_file.read_text())
            if Path(f"/proc/{pid}/cwd").resolve() == pid_file.parent.resolve():
                os.kill(pid, signal.SIGKILL)  # not our child: nothing to reap
                stopped += 1
        except (ValueError, OSError):
            pass
        shutil.rmtree(pid_file.parent, ignore_errors=True)
    if stopped:
        log.info("stopped %d demo encoders left over from an earlier run", stopped)
    return stopped
