"""HTTP routes for media: live demo channels and on-demand titles.

Authentication: every stream is the household's.

- Demo channel streams (`/demo/live/...`) show the home's programme titles, so they answer
  only a device of that home: with a device token (`Authorization: Bearer`, or `?token=`),
  or with a signed, expiring link (`?home=…&exp=…&sig=…`, media/signing.py) that the content
  API hands to players that cannot send headers (a `<video>` element, a TV's IPTV app). A
  channel is looked up in that home only, and its picture shows that home's guide.
- On-demand media (`/media/vod/...`) needs a device token, as `Authorization: Bearer
  <token>` (hls.js `xhrSetup`) or as `?token=<token>`. The person's rating limit applies.

With a query (`?token=` or a signature) the HLS playlist's own URLs carry it too, so every
request the player makes is authorised.

Media responses allow any origin (CORS): a device's web app may live elsewhere, and every
stream needs a token or a signed link anyway.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import FileResponse, Response

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.errors import NotFound, Unauthorized
from twinspace.hub_key import database_key
from twinspace.media import signing, vod
from twinspace.media.hls import PLAYLIST
from twinspace.media.service import Media

HLS_TYPE = "application/vnd.apple.mpegurl"
_VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".m4s": "video/mp4", ".mov": "video/quicktime",
                ".mkv": "video/x-matroska", ".webm": "video/webm", ".ts": "video/mp2t"}
_OPEN = {"Access-Control-Allow-Origin": "*"}
_PLAYLIST_HEADERS = {**_OPEN, "Cache-Control": "no-cache"}
_URI_ATTR = re.compile(r'URI="([^"]+)"')
VOD_FILE = "/media/vod/{title_id}"
VOD_HLS_MEDIA = f"/media/vod/{{title_id}}/{vod.HLS_MEDIA}"


def router(media: Media) -> APIRouter:
    r = APIRouter(tags=["media"])

    def viewer(token: Optional[str] = Query(None, description="a device token, for players "
                                                              "that cannot send an Authorization header"),
               authorization: Optional[str] = Header(None, include_in_schema=False)) -> Caller:
        bearer = authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ") else None
        return access.authenticate(media.hub.store, bearer or token)

    def live_access(channel: str, request: Request,
                    token: Optional[str] = Query(None, description="a device token"),
                    home: Optional[str] = Query(None, max_length=64, description="signed link: the home"),
                    exp: Optional[str] = Query(None, max_length=12, description="signed link: expiry (Unix time)"),
                    sig: Optional[str] = Query(None, max_length=64, description="signed link: signature"),
                    authorization: Optional[str] = Header(None, include_in_schema=False)) -> tuple[str, str]:
        """(home id, the query to pass on to segments) for a token of that home or a signed link."""
        bearer = authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ") else None
        if bearer or token:
            caller = access.authenticate(media.hub.store, bearer or token)
            return caller.home_id, "" if bearer else "token=" + quote(token or "", safe="")
        if home is None or exp is None or sig is None:
            raise Unauthorized("this channel needs a device token, or a signed link from the home's channel list "
                               "(GET /api/v1/homes/{home}/channels)")
        signing.verify(database_key(media.hub.store.path), home, channel, exp, sig)
        return home, request.url.query

    @r.get("/demo/live/{channel}/index.m3u8", summary="A demo channel's live HLS playlist",
           response_class=Response, responses={200: {"content": {HLS_TYPE: {}}}})
    async def live_playlist(channel: str, allowed: tuple[str, str] = Depends(live_access)) -> Response:
        home_id, query = allowed
        body = await media.live.playlist(media.demo_channel(channel, home_id))
        text = body.decode("utf-8")
        return Response(with_query(text, query) if query else text, media_type=HLS_TYPE,
                        headers=_PLAYLIST_HEADERS)

    @r.get("/demo/live/{channel}/{segment}", summary="A segment of a demo channel", response_class=Response)
    async def live_segment(channel: str, segment: str, allowed: tuple[str, str] = Depends(live_access)) -> Response:
        body = await media.live.segment(media.demo_channel(channel, allowed[0]), segment)
        if body is None:
            raise NotFound(f"{segment!r} is not a current segment of {channel!r}; reload the playlist")
        return Response(body, media_type="video/mp2t", headers={**_OPEN, "Cache-Control": "max-age=60"})

    @r.get(VOD_FILE, response_class=FileResponse,
           summary="An on-demand title's media file, with byte ranges")
    async def vod_file(title_id: str, who: Caller = Depends(viewer)) -> FileResponse:
        return _file(await media.vod_file(who, title_id))

    @r.get("/media/vod/{title_id}/index.m3u8", summary="An on-demand title as HLS", response_class=Response)
    async def vod_playlist(title_id: str, request: Request, who: Caller = Depends(viewer)) -> Response:
        folder = await media.vod_hls(who, title_id)
        text = (folder / PLAYLIST).read_text(encoding="utf-8")
        token = request.query_params.get("token")
        if token and not request.headers.get("authorization"):
            text = with_query(text, "token=" + quote(token, safe=""))
        return Response(text, media_type=HLS_TYPE, headers=_PLAYLIST_HEADERS)

    @r.get(VOD_HLS_MEDIA, response_class=FileResponse,
           summary="The media an on-demand HLS playlist points into, with byte ranges")
    async def vod_hls_media(title_id: str, who: Caller = Depends(viewer)) -> FileResponse:
        folder = await media.vod_hls(who, title_id)
        return _file(folder / vod.HLS_MEDIA)

    # Players probe files with HEAD; the same handlers answer it (FileResponse sends headers only).
    for path, endpoint in ((VOD_FILE, vod_file), (VOD_HLS_MEDIA, vod_hls_media)):
        r.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False)
    return r


def _file(path: Path) -> FileResponse:
    # Starlette's FileResponse answers Range requests (206, multipart for several ranges).
    return FileResponse(path, media_type=_VIDEO_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        headers=_OPEN)


def with_query(playlist: str, query: str) -> str:
    """Add ?<query> (a token or a signature) to every URI in a playlist (segment lines and URI="...")."""
    suffix = "?" + query
    lines = []
    for line in playlist.splitlines():
        if line and not line.startswith("#"):
            line += suffix
        else:
            line = _URI_ATTR.sub(lambda m: f'URI="{m.group(1)}{suffix}"', line)
        lines.append(line)
    return "\n".join(lines) + "\n"
