"""Which demo channels and on-demand titles exist on this hub, and what airs on a channel now.

A channel is a demo channel when a home's lineup points it at `/demo/live/<id>/index.m3u8`
(on any host: a lineup written for 127.0.0.1:8080 still maps by id), or when it is one of
the bundled demo channels. Everything is read from the homes' own imported files, parsed
once per home version, so it works whether or not the content catalogue is attached.

"What airs now" asks the catalogue when the hub has one (`hub.services.catalog`, or
services that answer `now` themselves), and otherwise reads the home's stored guide. It is
an injectable `TitleNow` callable so the hub can be wired differently without this module.
"""

from __future__ import annotations

import logging
import re
import threading
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from twinspace import demo
from twinspace.content.m3u import parse_m3u
from twinspace.content.vod import VodTitle, parse_vod
from twinspace.content.xmltv import GuideReader
from twinspace.errors import TwinspaceError
from twinspace.hub import Hub

log = logging.getLogger("twinspace.media")

TitleNow = Callable[[str, datetime], Optional[str]]  # (channel id, instant) -> programme title

# Ids become directory and file names: letters, digits, dot, dash, underscore; no "..".
_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9_-])?")
DEMO_PATH = re.compile(r"/demo/live/([^/]+)/index\.m3u8")


def valid_id(text: str) -> bool:
    return _ID.fullmatch(text) is not None and ".." not in text


@dataclass(frozen=True)
class DemoChannel:
    id: str  # as in the stream URL
    name: str
    home_id: Optional[str] = None  # the home it is played for (None: a bundled demo channel, unscoped)
    guide_id: Optional[str] = None  # its id in that home's guide

    @property
    def key(self) -> str:
        """What its encoder is known by: one per home, so a picture shows only its home's guide."""
        return f"{self.home_id}/{self.id}" if self.home_id else self.id


@dataclass
class _HomeMedia:
    """What one version of a home contributes."""

    channels: dict[str, DemoChannel] = field(default_factory=dict)
    vod: dict[str, VodTitle] = field(default_factory=dict)
    guide_file: Optional[tuple[str, bytes]] = None
    guide: Optional[dict[str, tuple[list[datetime], list[tuple[datetime, str]]]]] = None  # parsed lazily


class Directory:
    def __init__(self, hub: Hub, *, title_now: Optional[TitleNow] = None) -> None:
        self.hub = hub
        self._title_now = title_now
        self._homes: dict[str, tuple[int, _HomeMedia]] = {}
        self._lock = threading.Lock()  # the cache is used from the event loop and from worker threads
        self._bundled = {ch["id"]: DemoChannel(ch["id"], ch["name"]) for ch in demo.schedule()["channels"]}

    # --- lookups ---------------------------------------------------------------------

    def channel(self, channel_id: str, home_id: Optional[str] = None) -> Optional[DemoChannel]:
        """A demo channel; for `home_id`, only that home's (its lineup's, or a bundled one played
        for it, whose titles then come from that home's guide alone)."""
        if not valid_id(channel_id):
            return None
        if home_id is not None:
            media = self._home(home_id)
            if media is not None and channel_id in media.channels:
                return media.channels[channel_id]
            bundled = self._bundled.get(channel_id)
            return replace(bundled, home_id=home_id) if bundled is not None and media is not None else None
        for media in self._all_homes():
            if channel_id in media.channels:
                return media.channels[channel_id]
        return self._bundled.get(channel_id)

    def title_now(self, channel_id: str, at: Optional[datetime] = None, *,
                  home_id: Optional[str] = None) -> Optional[str]:
        """The title of the programme airing on a demo channel at `at` (the hub's clock by default);
        with `home_id`, from that home's guide only."""
        at = at or self.hub.clock()
        if self._title_now is not None:
            return self._title_now(channel_id, at)
        channel = self.channel(channel_id, home_id)
        if channel is None:
            return None
        homes = [channel.home_id] if channel.home_id else self.hub.home_ids()
        guide_id = channel.guide_id or channel.id
        for home_id in homes:
            title = self._catalogue_title(home_id, guide_id, at) or self._guide_title(home_id, guide_id, at)
            if title:
                return title
        return None

    def vod_title(self, home_id: str, title_id: str) -> Optional[VodTitle]:
        """An on-demand title of a home's vod.json."""
        media = self._home(home_id)
        return media.vod.get(title_id) if media else None

    # --- what airs now -----------------------------------------------------------------

    def _catalogue_title(self, home_id: str, guide_id: str, at: datetime) -> Optional[str]:
        services = self.hub.services
        catalog: Any = getattr(services, "catalog", services)
        if catalog is None or not hasattr(catalog, "now"):
            return None
        try:
            listings = catalog.now(home_id, at, channel=guide_id)
            return listings[0].programme.title if listings else None
        except Exception:  # not in this catalogue, or services of another shape: the guide file answers
            log.debug("catalogue has no programme for %s on %s", guide_id, home_id, exc_info=True)
            return None

    def _guide_title(self, home_id: str, guide_id: str, at: datetime) -> Optional[str]:
        media = self._home(home_id)
        if media is None or media.guide_file is None:
            return None
        if media.guide is None:  # parsed outside the lock: a big guide must not stall lookups
            media.guide = _read_guide(*media.guide_file, {c.guide_id for c in media.channels.values()})
        starts, programmes = media.guide.get(guide_id, ([], []))
        i = bisect_right(starts, at) - 1
        if i >= 0 and at < programmes[i][0]:
            return programmes[i][1]
        return None

    # --- per-home files ------------------------------------------------------------------

    def _all_homes(self) -> list[_HomeMedia]:
        return [m for m in (self._home(h) for h in self.hub.home_ids()) if m is not None]

    def _home(self, home_id: str) -> Optional[_HomeMedia]:
        try:
            version = self.hub.version(home_id)
            with self._lock:
                cached = self._homes.get(home_id)
            if cached is not None and cached[0] == version:
                return cached[1]
            media = self._read_home(home_id)
        except TwinspaceError:  # the home was removed meanwhile
            return None
        with self._lock:
            self._homes[home_id] = (version, media)
        return media

    def _read_home(self, home_id: str) -> _HomeMedia:
        sources = self.hub.home(home_id).content
        files = self.hub.store.files(home_id)
        media = _HomeMedia()
        # A broken file was refused at import; if one still fails here, the home just has no demo media.
        try:
            if sources.m3u and sources.m3u in files:
                for ch in parse_m3u(files[sources.m3u], name=sources.m3u).channels:
                    match = DEMO_PATH.fullmatch(urlsplit(ch.url).path)
                    if match and valid_id(match.group(1)):
                        media.channels[match.group(1)] = DemoChannel(match.group(1), ch.name, home_id, ch.id)
            if sources.vod and sources.vod in files:
                media.vod = {t.id: t for t in parse_vod(files[sources.vod], name=sources.vod)}
        except TwinspaceError as e:
            log.warning("home %s: cannot read its content for demo media: %s", home_id, e.detail)
        if sources.xmltv and sources.xmltv in files:
            media.guide_file = (sources.xmltv, files[sources.xmltv])
        return media


def _read_guide(name: str, data: bytes, channel_ids: set[Optional[str]]
                ) -> dict[str, tuple[list[datetime], list[tuple[datetime, str]]]]:
    """Starts and (stop, title) of the demo channels' programmes, sorted by start."""
    by_channel: dict[str, list[tuple[datetime, datetime, str]]] = {}
    try:
        for p in GuideReader(data, name=name).programmes():
            if p.channel_id in channel_ids:
                by_channel.setdefault(p.channel_id, []).append((p.start, p.stop, p.title))
    except TwinspaceError as e:
        log.warning("%s: cannot read the guide for demo titles: %s", name, e.detail)
    out = {}
    for channel_id, rows in by_channel.items():
        rows.sort(key=lambda r: r[0])
        out[channel_id] = ([r[0] for r in rows], [(r[1], r[2]) for r in rows])
    return out
