"""The hub's media: demo channels, on-demand files and who may fetch them, in one object."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from twinspace.actions.registry import Caller
from twinspace.content.ratings import allowed
from twinspace.errors import NotAllowed, NotFound
from twinspace.hub import Hub
from twinspace.hub_key import database_key
from twinspace.media import signing
from twinspace.media.directory import DEMO_PATH, DemoChannel, Directory, TitleNow, valid_id
from twinspace.media.live import LiveChannels, LiveOptions
from twinspace.media.vod import VodLibrary, VodOptions


class Media:
    def __init__(self, hub: Hub, data_dir: Path, *, folders: Optional[list[Path]] = None,
                 live: LiveOptions = LiveOptions(), vod: VodOptions = VodOptions(),
                 title_now: Optional[TitleNow] = None) -> None:
        self.hub = hub
        self.root = data_dir / "media"
        # Until Settings names media folders, a hub's own library is <data>/media/library.
        self.folders = folders if folders is not None else [self.root / "library"]
        self.directory = Directory(hub, title_now=title_now)
        self.live = LiveChannels(self.root / "live", self.directory, live)
        self.vod = VodLibrary(self.root / "vod", self.folders, vod)

    def demo_channel(self, channel_id: str, home_id: Optional[str] = None) -> DemoChannel:
        """A demo channel; with `home_id`, one of that home's (the same answer for a channel of
        another home as for none at all)."""
        channel = self.directory.channel(channel_id, home_id)
        if channel is None:
            raise NotFound(f"there is no demo channel {channel_id!r} in this home; demo channel ids are the "
                           "tvg-id of a lineup entry whose URL ends in /demo/live/<id>/index.m3u8")
        return channel

    def stream_url(self, home_id: str, channel_id: str, lineup_url: str) -> str:
        """Where a device of `home_id` plays a lineup channel: a demo channel as a signed link of
        this hub (path only: the device's own origin), anything else at its lineup URL."""
        match = DEMO_PATH.fullmatch(urlsplit(lineup_url).path)
        if match and self.directory.channel(match.group(1), home_id) is not None:
            return signing.signed_live_url(database_key(self.hub.store.path), home_id, match.group(1))
        return lineup_url

    async def vod_file(self, caller: Caller, title_id: str) -> Path:
        """The file to play for an on-demand title, if the caller's home has it and they may watch it.

        A media-folder file wins over a generated demo clip of the same id.
        """
        title = self.directory.vod_title(caller.home_id, title_id) if valid_id(title_id) else None
        file = await asyncio.to_thread(self.vod.library_file, title_id) if valid_id(title_id) else None
        if title is None and file is None:
            raise NotFound(f"there is no on-demand title {title_id!r} in this home or its media folder")
        person = self.hub.home(caller.home_id).person(caller.person) if caller.person else None
        rating = title.rating if title is not None else None
        if person is not None and not allowed(rating, person.max_rating):
            name = title.title if title is not None else title_id
            raise NotAllowed(f"{name} is rated {rating or 'unrated'}, above {person.name}'s limit of "
                             f"{person.max_rating}")
        if file is not None:
            return file
        assert title is not None
        return await self.vod.demo_clip(title)

    async def vod_hls(self, caller: Caller, title_id: str) -> Path:
        """The folder with the title's HLS playlist and media, checked like `vod_file`."""
        return await self.vod.hls(title_id, await self.vod_file(caller, title_id))
