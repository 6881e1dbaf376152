"""HTTP reads of a home's content: what's on, search, channels, on-demand titles, continue
watching. Each needs the device token and shows only what the caller's person may see.

`guide/now` and `search` run the read-only actions of the same names, so they answer exactly
as the assistant and `POST .../actions/guide.now` do.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Literal, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import PlainTextResponse

from twinspace import access
from twinspace.actions.content import channel_json, programme_json, services_of
from twinspace.actions.registry import Caller, Outcome
from twinspace.content.m3u import format_m3u
from twinspace.hub import Hub
from twinspace.server.auth import bearer
from twinspace.spaces import admission


def install_content(app: FastAPI, hub: Hub, member: Callable[..., Caller]) -> None:
    """Add the content routes; `member` is the app's dependency for "a token of this home"."""
    from twinspace.server.app import (
        API,  # imported late: app.py imports this module while building the app
    )

    router = APIRouter(prefix=API + "/homes/{home_id}", tags=["content"])

    def limit(home_id: str, who: Caller) -> Optional[str]:
        person = hub.home(home_id).person(who.person) if who.person else None
        return person.max_rating if person else None

    def stream_url(home_id: str, channel: Any) -> str:
        """Where this home's devices play a channel: demo channels as signed, expiring links."""
        media = getattr(app.state, "media", None)
        return media.stream_url(home_id, channel.id, channel.url) if media is not None else channel.url

    def ask(home_id: str, action: str, args: dict[str, Any], who: Caller) -> dict[str, Any]:
        outcome = hub.apply(home_id, action, {k: v for k, v in args.items() if v is not None}, caller=who)
        assert isinstance(outcome, Outcome) and outcome.result is not None
        return {"message": outcome.message, **outcome.result}

    @router.get("/guide/now", summary="What is on now or at a time")
    def guide_now(home_id: str,
                  channel: Optional[str] = Query(None, description="channel id, name or number"),
                  category: Optional[str] = Query(None, description="guide category or channel group"),
                  at: Optional[str] = Query(None, description="ISO 8601 time with offset; default now"),
                  who: Caller = Depends(member)) -> dict[str, Any]:
        return ask(home_id, "guide.now", {"channel": channel, "category": category, "at": at}, who)

    @router.get("/search", summary="Search channels, programmes, on-demand titles and apps")
    def search(home_id: str, q: str = Query(..., min_length=1, description="words to look for"),
               kind: Optional[Literal["channel", "programme", "vod", "app"]] = Query(None),
               who: Caller = Depends(member)) -> dict[str, Any]:
        return ask(home_id, "content.search", {"query": q, "kind": kind}, who)

    @router.get("/channels", summary="The lineup with what is on now and next, and where to play each channel")
    def channels(home_id: str, who: Caller = Depends(member)) -> list[dict[str, Any]]:
        catalog = services_of(hub.services).catalog
        rows = catalog.now_next(home_id, hub.clock(), max_rating=limit(home_id, who))
        return [{"channel": {**channel_json(row.channel), "stream_url": stream_url(home_id, row.channel)},
                 "now": programme_json(row.now) if row.now else None,
                 "next": programme_json(row.next) if row.next else None} for row in rows]

    @router.get("/vod", summary="On-demand titles")
    def vod(home_id: str, who: Caller = Depends(member)) -> list[dict[str, Any]]:
        catalog = services_of(hub.services).catalog
        return [{"ref": t.ref, **t.model_dump(mode="json", exclude_none=True)}
                for t in catalog.vod_titles(home_id, max_rating=limit(home_id, who))]

    @router.get("/continue-watching", summary="Titles you are part-way through, most recent first")
    def continue_watching(home_id: str, who: Caller = Depends(member)) -> list[dict[str, Any]]:
        services = services_of(hub.services)
        if who.person is None:
            return []  # a device paired for nobody in particular has no viewing history
        items = services.continue_watching(hub.home(home_id), who.person, hub.clock())
        return [{"content": i.content, "title": i.title, "position_s": round(i.position_s, 3),
                 "duration_s": i.duration_s, "progress": i.progress, "updated_at": i.updated_at.isoformat()}
                for i in items]

    @router.get("/channels.m3u", response_class=PlainTextResponse,
                responses={200: {"content": {"audio/x-mpegurl": {}}}},
                summary="The lineup as M3U for an IPTV player, demo channels as signed links (valid 12 h)")
    def channels_m3u(home_id: str, request: Request,
                     token: Optional[str] = Query(None, description="a device token, for players that cannot "
                                                                    "send an Authorization header"),
                     authorization: Optional[str] = Header(None, include_in_schema=False)) -> PlainTextResponse:
        admission.admit(hub, access.authenticate(hub.store, bearer(authorization) or token), home_id)
        base = str(request.base_url).rstrip("/")
        channels = [dataclasses.replace(ch, url=_absolute(base, stream_url(home_id, ch)))
                    for ch in services_of(hub.services).catalog.channels(home_id)]
        return PlainTextResponse(format_m3u(channels), media_type="audio/x-mpegurl")

    app.include_router(router)


def _absolute(base: str, url: str) -> str:
    return base + url if url.startswith("/") else url
