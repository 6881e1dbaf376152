"""Spaces over HTTP and WebSocket (docs/spaces.md): thin routes over twinspace.spaces.

Host side: a home's owner creates virtual spaces and invites (`/api/v1/homes/{home}/spaces…`);
a guest's hub redeems an invite (`POST /api/v1/invites/{code}/redeem`, no token: the code is
the credential, limited per source) and leaves with its guest token (`POST /api/v1/guest/leave`).

Guest side: a home joins a space hosted elsewhere (`/api/v1/homes/{home}/joined…`), and its
devices reach it through this hub, which relays their sockets to the host with the guest
token: `…/joined-sync/{space}` (the space's Yjs document, for y-websocket: server URL
`…/joined-sync`, room = the space id) and `…/joined-cowatch/{space}?target=…` (a player).
Closing on the host's side (revocation) closes the relayed socket with the host's code.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any, AsyncIterator, Callable, Optional
from urllib.parse import quote, urlencode

import httpx

from fastapi import APIRouter, Body, Depends, FastAPI, Request, Response, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.errors import Forbidden, NotFound, Unauthorized
from twinspace.home.model import Home
from twinspace.hub import Hub
from twinspace.media.routes import with_query
from twinspace.server.auth import bearer, member, token_caller
from twinspace.spaces import admission, hosting, invites, joined

API = "/api/v1"
UNAUTHORIZED, FORBIDDEN, GONE, UNREACHABLE = 4401, 4403, 4404, 1014
MAX_RELAY_MESSAGE = 1 << 20
MEDIA_PREFIXES = ("media/vod/", "demo/live/")
RELAYED_HEADERS = ("content-range", "accept-ranges", "cache-control", "last-modified", "etag")


class SpaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str = Field("cinema", description="cinema or lounge")
    name: Optional[str] = Field(None, max_length=hosting.MAX_NAME)
    id: Optional[str] = Field(None, max_length=63, description="the space's id (default: <home>-<template>)")


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(alias="for", max_length=hosting.MAX_NAME, description="whom it is for, e.g. \"the Kims\"")
    hours: float = Field(24.0, gt=0, le=24 * 30, description="how long it stays open")


class RedeemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=hosting.MAX_NAME, description="who is coming, e.g. \"Joon (the Kims)\"")


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    link: str = Field(max_length=500, description="the invite link the host gave you")
    name: str = Field(max_length=hosting.MAX_NAME, description="who is coming, as the host will see it")
    host: Optional[str] = Field(None, max_length=300, description="the host's URL, when `link` is a bare code")


def space_json(space: Home) -> dict[str, Any]:
    return {"id": space.id, "name": space.name, "kind": space.kind, "host": space.host, "owner": space.owner_id(),
            "seats": [s.model_dump(mode="json") for s in space.seats],
            "screens": [d.id for _, d in space.devices() if d.kind == "tv"],
            "people": [{"id": p.id, "name": p.name} for p in space.people]}


def invite_json(i: invites.Invite) -> dict[str, Any]:
    out = {"id": i.id, "space": i.space_id, "for": i.label, "state": i.state, "created_at": i.created_at,
           "expires_at": i.expires_at, "guest": i.guest}
    if i.code:
        out.update(code=i.code, link=i.link)
    return out


class Relays:
    """The open relayed sockets of joined spaces, so leaving closes them at once."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], set[Callable[[], None]]] = {}

    def add(self, key: tuple[str, str], close: Callable[[], None]) -> Callable[[], None]:
        self._open.setdefault(key, set()).add(close)
        return lambda: self._open.get(key, set()).discard(close)

    def close(self, key: tuple[str, str]) -> None:
        for close in list(self._open.pop(key, ())):
            close()


def install_spaces(app: FastAPI, hub: Hub) -> None:
    relays = Relays()
    app.state.space_relays = relays
    homes = APIRouter(prefix=API + "/homes/{home_id}", tags=["spaces"])
    public = APIRouter(prefix=API, tags=["spaces"])

    def owner(who: Caller = Depends(member)) -> Caller:
        if not who.is_owner:
            raise Forbidden("only the home's owner can host spaces and invite other homes")
        return who

    # --- host side -------------------------------------------------------------------

    @homes.post("/spaces", summary="Create a virtual space (a cinema, a lounge) hosted by this home")
    def create_space(body: SpaceIn, who: Caller = Depends(owner)) -> dict[str, Any]:
        return space_json(hosting.create_space(hub, who, body.template, body.name, body.id))

    @homes.get("/spaces", summary="The spaces this home hosts, and the ones it joined elsewhere")
    def list_spaces(home_id: str, who: Caller = Depends(member)) -> dict[str, Any]:
        return {"hosted": [space_json(s) for s in hosting.spaces_of(hub, home_id)],
                "joined": [j.public() for j in joined.joined_spaces(hub.store, home_id)]}

    @homes.post("/spaces/{space_id}/invites", summary="A one-time invite into the space for another home")
    def create_invite(space_id: str, body: InviteIn, request: Request, who: Caller = Depends(owner)) -> dict[str, Any]:
        space = hosting.hosted_space(hub, who, space_id)
        return invite_json(invites.create_invite(hub, space, by=who.person, label=body.label,
                                                 base_url=str(request.base_url), ttl=timedelta(hours=body.hours)))

    @homes.get("/spaces/{space_id}/invites", summary="The space's invites and whether they are open, used or revoked")
    def list_invites(space_id: str, who: Caller = Depends(owner)) -> list[dict[str, Any]]:
        return [invite_json(i) for i in invites.invites(hub.store, hosting.hosted_space(hub, who, space_id).id)]

    @homes.delete("/spaces/{space_id}/invites/{invite_id}", summary="Revoke an invite: its guest is out at once")
    def revoke_invite(space_id: str, invite_id: str, who: Caller = Depends(owner)) -> dict[str, Any]:
        space = hosting.hosted_space(hub, who, space_id)
        return invite_json(invites.revoke(hub, space.id, invite_id)) | {"state": "revoked"}

    @public.post("/invites/{code}/redeem", summary="A guest's hub redeems an invite for a guest token (once)")
    def redeem(code: str, body: RedeemIn, request: Request) -> dict[str, Any]:
        source = request.client.host if request.client else None
        p = invites.redeem(hub, code, body.name, source=source)
        return {"token": p.token, "space_id": p.space_id, "space_name": p.space_name, "guest": p.guest,
                "seat": p.seat}

    @public.post("/guest/leave", summary="A guest's hub leaves its space; the guest token stops working")
    def guest_leave(request: Request, who: Caller = Depends(token_caller)) -> dict[str, str]:
        if who.role != admission.GUEST:
            raise Forbidden("only a guest's pass leaves a space this way")
        invites.leave(hub, bearer(request.headers.get("authorization")) or "")
        return {"status": "left"}

    # --- guest side ------------------------------------------------------------------

    @homes.post("/joined", summary="Join a space hosted by another hub, with the invite its host gave you")
    def join(home_id: str, body: JoinIn, who: Caller = Depends(owner)) -> dict[str, Any]:
        host_url, code = invites.parse_link(body.link, body.host)
        return joined.join(hub.store, home_id, host_url, code, body.name).public()

    @homes.get("/joined/{space_id}", summary="A joined space's twin, as its host serves it")
    def joined_twin(home_id: str, space_id: str, who: Caller = Depends(member)) -> dict[str, Any]:
        return joined.fetch_space(joined.joined_space(hub.store, home_id, space_id))

    @homes.post("/joined/{space_id}/actions/{action}",
                summary="Run an action on a joined space (play, pause, seek its screen; take a seat), at its host")
    def joined_action(home_id: str, space_id: str, action: str, body: dict[str, Any] = Body(...),
                      who: Caller = Depends(member)) -> dict[str, Any]:
        # The body ({args, viewer?, room?, focus?, confirm?}) goes as the device sent it: the host
        # validates it and decides what this home's guest may do there (spaces/admission.py).
        return joined.act(joined.joined_space(hub.store, home_id, space_id), action, body)

    @homes.delete("/joined/{space_id}", summary="Leave a joined space: its host revokes our pass, sockets close")
    def leave(home_id: str, space_id: str, who: Caller = Depends(owner)) -> dict[str, Any]:
        told = joined.leave(hub.store, home_id, space_id)
        relays.close((home_id, space_id))
        return {"status": "left", "host_told": told}

    @homes.get("/joined-media/{space_id}/{path:path}", response_class=Response,
               summary="A joined space's screen media (on-demand files and HLS, live HLS), relayed from its host")
    async def joined_media(home_id: str, space_id: str, path: str, request: Request) -> Response:
        # Players put the token in the query (hls.js, <video src>); the media routes accept both.
        token = bearer(request.headers.get("authorization")) or request.query_params.get("token") or ""
        who = admission.refuse_guest(await asyncio.to_thread(access.authenticate, hub.store, token))
        await asyncio.to_thread(admission.admit, hub, who, home_id)
        space = await asyncio.to_thread(joined.joined_space, hub.store, home_id, space_id)
        if not path.startswith(MEDIA_PREFIXES) or ".." in path.split("/"):
            raise NotFound("only a space's screen media is relayed: media/vod/… or demo/live/…")
        headers = {"Authorization": f"Bearer {space.token}"}
        if "range" in request.headers:
            headers["Range"] = request.headers["range"]
        upstream = await media_client(space).request(request.method, f"{space.host_url}/{path}", headers=headers)
        body = upstream.content
        kind = upstream.headers.get("content-type", "application/octet-stream")
        if "mpegurl" in kind and request.query_params.get("token") and "authorization" not in request.headers:
            body = with_query(body.decode(), "token=" + quote(token, safe="")).encode()  # segments need it too
        kept = {k: v for k, v in upstream.headers.items() if k.lower() in RELAYED_HEADERS}
        return Response(body, status_code=upstream.status_code, media_type=kind,
                        headers={**kept, "Access-Control-Allow-Origin": "*"})

    clients: dict[str, httpx.AsyncClient] = {}

    def media_client(space: joined.JoinedSpace) -> httpx.AsyncClient:
        client = clients.get(space.host_url)
        if client is None:
            client = clients[space.host_url] = httpx.AsyncClient(timeout=joined.TIMEOUT_S, verify=joined.verify())
        return client

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            for client in clients.values():
                await client.aclose()
            clients.clear()

    app.state.lifespan_hooks.append(lifespan)

    async def relay(websocket: WebSocket, home_id: str, space_id: str, path: str) -> None:
        await websocket.accept()
        token = websocket.query_params.get("token") or bearer(websocket.headers.get("authorization")) or ""
        try:
            who = await asyncio.to_thread(access.authenticate, hub.store, token)
            await asyncio.to_thread(admission.admit, hub, admission.refuse_guest(who), home_id)
            space = await asyncio.to_thread(joined.joined_space, hub.store, home_id, space_id)
        except Unauthorized as e:
            await websocket.close(UNAUTHORIZED, e.detail[:120])
            return
        except Forbidden as e:
            await websocket.close(FORBIDDEN, e.detail[:120])
            return
        except NotFound as e:
            await websocket.close(GONE, e.detail[:120])
            return
        query = urlencode([(k, v) for k, v in websocket.query_params.multi_items() if k != "token"])
        url = f"{space.ws_url}{path}{space_id}" + (f"?{query}" if query else "")
        loop = asyncio.get_running_loop()
        local_gone = asyncio.Event()
        unwatch = access.token_watch(hub.store).watch(token, lambda _w: loop.call_soon_threadsafe(local_gone.set))
        unrelay = relays.add((home_id, space_id), lambda: loop.call_soon_threadsafe(local_gone.set))
        code, reason = 1000, "closed"
        try:
            async with connect(url, additional_headers={"Authorization": f"Bearer {space.token}"},
                               ssl=joined.ssl_context(url), max_size=MAX_RELAY_MESSAGE, open_timeout=10,
                               ping_interval=None) as upstream:

                async def down() -> None:
                    async for message in upstream:
                        if isinstance(message, bytes):
                            await websocket.send_bytes(message)
                        else:
                            await websocket.send_text(message)

                async def up() -> None:
                    while True:
                        message = await websocket.receive()
                        if message["type"] == "websocket.disconnect":
                            return
                        if message.get("bytes") is not None:
                            await upstream.send(message["bytes"])
                        elif message.get("text") is not None:
                            await upstream.send(message["text"])

                tasks = [asyncio.create_task(c) for c in (down(), up(), local_gone.wait())]
                done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for t in pending:
                    t.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                if local_gone.is_set():
                    code, reason = UNAUTHORIZED, "this home left the space, or this device's token was revoked"
                elif upstream.close_code is not None:
                    code, reason = upstream.close_code, upstream.close_reason or ""
        except InvalidStatus as e:
            code, reason = UNREACHABLE, f"the host hub refused the connection ({e.response.status_code})"
        except (OSError, WebSocketException, asyncio.TimeoutError) as e:
            if not isinstance(e, ConnectionClosed):
                code, reason = UNREACHABLE, f"the host hub cannot be reached: {e}"[:120]
            elif e.rcvd is not None:
                code, reason = e.rcvd.code, e.rcvd.reason
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            unwatch()
            unrelay()
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(code if 1000 <= code < 5000 and code not in (1005, 1006) else 1011, reason[:120])

    async def sync_relay(websocket: WebSocket, home_id: str, space_id: str) -> None:
        await relay(websocket, home_id, space_id, "/api/v1/sync/")

    async def cowatch_relay(websocket: WebSocket, home_id: str, space_id: str) -> None:
        # The player's clock exchange crosses this relay both ways: t0 and t3 are stamped by the
        # player, t1 and t2 by the host, so whatever the relay costs (this hub's event loop, the
        # second hop) falls inside the round trip the player measures, (t3 - t0) - (t2 - t1),
        # and the offset's error stays within half of it; of its last 8 samples the player keeps
        # the one with the least round trip (cowatch.js, cowatch/clock.py). That holds because
        # the relay never answers a ping itself, stamps, batches or reorders: each frame goes on
        # as it arrives, on a socket of its own per player (no queue shared with media or other
        # players; asyncio sets TCP_NODELAY). The round trip the player reports back (`clock`)
        # includes the relay too, so the host's command lead (cowatch/schedule.py) covers it.
        await relay(websocket, home_id, space_id, "/api/v1/cowatch/")

    app.add_api_websocket_route(API + "/homes/{home_id}/joined-sync/{space_id}", sync_relay, name="joined-sync")
    app.add_api_websocket_route(API + "/homes/{home_id}/joined-cowatch/{space_id}", cowatch_relay,
                                name="joined-cowatch")
    app.include_router(homes)
    app.include_router(public)
