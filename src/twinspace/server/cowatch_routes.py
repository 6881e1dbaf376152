"""Watching together over a WebSocket: `ws://host/api/v1/cowatch/{home_id}?token=…&target=…`.

One connection per player: it plays `target` (a panel or device id) and keeps it in step
with everyone else playing that target or its watch group (docs/cowatch.md). Messages are
JSON text. Outgoing messages go through a bounded queue per connection, so a member that
stops reading never holds up the others: it is disconnected (1013) instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from twinspace import access
from twinspace.cowatch.service import CowatchService
from twinspace.errors import Forbidden, NotFound, TwinspaceError, Unauthorized
from twinspace.hub import Hub
from twinspace.server.auth import bearer
from twinspace.spaces import admission

PATH = "/api/v1/cowatch/{home_id}"
BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, GONE, LAGGING = 4400, 4401, 4403, 4404, 1013
MAX_MESSAGE = 4096
QUEUE = 256


def install_cowatch(app: FastAPI, hub: Hub) -> CowatchService:
    service = CowatchService(hub)
    app.state.cowatch = service

    async def cowatch(websocket: WebSocket, home_id: str) -> None:
        await websocket.accept()
        token = websocket.query_params.get("token") or bearer(websocket.headers.get("authorization")) or ""
        try:
            caller = await asyncio.to_thread(access.authenticate, hub.store, token)
        except Unauthorized as e:
            await websocket.close(UNAUTHORIZED, e.detail[:120])
            return
        try:  # the same answer whether that home exists or not
            caller = await asyncio.to_thread(admission.admit, hub, caller, home_id)
        except Forbidden as e:
            await websocket.close(FORBIDDEN, e.detail)
            return
        target = websocket.query_params.get("target")
        if not target:
            await websocket.close(BAD_REQUEST, "say which panel or device this player plays: ?target=<id>")
            return
        outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE)
        lagging = asyncio.Event()

        async def send(message: dict[str, Any]) -> None:
            try:
                outbox.put_nowait(message)
            except asyncio.QueueFull:
                lagging.set()

        async def write() -> None:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                while True:
                    await websocket.send_text(json.dumps(await outbox.get()))

        writer = asyncio.create_task(write())
        try:
            member = await service.join(caller, target, send)
        except NotFound as e:
            writer.cancel()
            await websocket.close(GONE, e.detail[:120])
            return
        loop = asyncio.get_running_loop()
        revoked = asyncio.Event()
        # A revoked token (a device taken back, a guest's invite revoked) loses its player at once.
        unwatch = access.token_watch(hub.store).watch(token, lambda _why: loop.call_soon_threadsafe(revoked.set))

        async def cut_off() -> None:
            await revoked.wait()
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await websocket.close(UNAUTHORIZED, "the token was revoked or expired; this player is cut off")

        cutter = asyncio.create_task(cut_off())
        try:
            while not lagging.is_set() and not revoked.is_set():
                message = await websocket.receive()
                received = service.clock()
                if message["type"] == "websocket.disconnect":
                    break
                await _handle(service, member, message.get("text"), received, send)
            if lagging.is_set():
                await websocket.close(LAGGING, "this player fell too far behind reading its messages; reconnect")
        except WebSocketDisconnect:
            pass
        except RuntimeError:  # closed under us by cut_off
            pass
        finally:
            unwatch()
            cutter.cancel()
            await service.leave(member)
            writer.cancel()

    async def _handle(service: CowatchService, member: Any, text: Any, received: float, send: Any) -> None:
        try:
            if not isinstance(text, str) or len(text) > MAX_MESSAGE:
                raise ValueError(f"messages are JSON text of at most {MAX_MESSAGE} bytes")
            try:
                message = json.loads(text)
            except json.JSONDecodeError as e:
                raise ValueError(f"a message is a JSON object ({e})") from None
            if not isinstance(message, dict):
                raise ValueError('a message is a JSON object, e.g. {"type": "ping", "t0": 1.5}')
            await service.receive(member, message, received)
        except (ValueError, TwinspaceError) as e:
            await send({"type": "error", "detail": getattr(e, "detail", None) or str(e)})

    app.add_api_websocket_route(PATH, cowatch, name="cowatch")
    app.state.lifespan_hooks.append(service.lifespan)
    return service
