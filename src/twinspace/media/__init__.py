"""Media that really plays: live demo channels and on-demand files, served as HLS and byte ranges.

- `live`: one ffmpeg encoder per demo channel, on demand, stopped when idle.
- `vod`: media-folder files and generated demo clips, with HLS packaging.
- `scan`: a media folder probed with ffprobe, as vod.json entries.
- `directory`: which demo channels and titles exist, and what airs now.
- `routes`: the HTTP side, and who may fetch what (see its docstring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from twinspace.media.scan import scan_media_folder
from twinspace.media.service import Media

if TYPE_CHECKING:
    from fastapi import FastAPI

    from twinspace.config import Settings
    from twinspace.hub import Hub

__all__ = ["Media", "install_media", "scan_media_folder"]


def install_media(app: "FastAPI", hub: "Hub", settings: Optional["Settings"] = None, **options: Any) -> Media:
    """Add the media routes to the app and run the encoders for its lifetime.

    The data directory is the settings' or, by default, the one holding the hub's database.
    `options` go to `Media` (folders, live and vod options, title_now).
    """
    from twinspace.media.routes import router

    data_dir = settings.data_dir if settings is not None else hub.store.path.parent
    media = Media(hub, data_dir, **options)
    app.state.media = media
    app.include_router(router(media))
    app.state.lifespan_hooks.append(lambda _app: media.live.running())
    return media
