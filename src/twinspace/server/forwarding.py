"""On a cluster, every request and socket for a home is served by the home's owner replica.

The load balancer routes by home (docs/deploy.md), so a request usually lands on its owner.
When it does not (the balancer's view changed, a replica restarted, a home moved after a
crash) this middleware forwards it: plain HTTP is relayed with httpx, a WebSocket is relayed
frame by frame to the owner's socket. Forwarding, not redirecting: browsers do not follow
redirects on a WebSocket handshake, and clients need not know the replicas' addresses.

A forwarded request carries `X-Twinspace-Forwarded`; a replica that is not the owner either
answers 503 with Retry-After (never forwards twice, so no loops). If the owner does not
answer, the replica waits for the owner's lease to lapse, takes the home over and serves the
request itself: its live document is rebuilt from the store on first use.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from contextlib import asynccontextmanager
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import unquote

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from twinspace.cluster.ownership import Ownership

log = logging.getLogger(__name__)
HOME_PATH = re.compile(r"^/api/v1/(?:homes|sync|cowatch)/([^/]+)")
FORWARDED = "x-twinspace-forwarded"
MAX_BODY = 17 * 1024 * 1024  # the largest body the owner accepts (a room capture) and a bit
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "host", "content-length"}
WS_HANDSHAKE = {"sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
                "sec-websocket-protocol", "sec-websocket-accept"}

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class OwnerForwarding:
    def __init__(self, app: Any, ownership: Ownership, has_home: Callable[[str], bool]) -> None:
        self.app = app
        self.ownership = ownership
        self.has_home = has_home  # only real homes get an owner (no lease for a made-up id)
        self._http: Optional[httpx.AsyncClient] = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = HOME_PATH.match(scope.get("path", "")) if scope["type"] in ("http", "websocket") else None
        if match is None:
            return await self.app(scope, receive, send)
        home_id = unquote(match[1])
        if not await asyncio.to_thread(self.has_home, home_id):
            return await self.app(scope, receive, send)  # the route answers 404 (or 401 first)
        owner = await asyncio.to_thread(self.ownership.owner, home_id)
        if owner is None:
            return await self.app(scope, receive, send)
        if _header(scope, FORWARDED) is not None:
            return await _unavailable(scope, send, f"home {home_id!r} is moving between replicas")
        if scope["type"] == "http":
            await self._forward_http(scope, receive, send, home_id, owner)
        else:
            await self._forward_websocket(scope, receive, send, home_id, owner)

    async def _take_over(self, scope: Scope, receive: Receive, send: Send, home_id: str, owner: str) -> None:
        """The owner did not answer: take the home over and serve the request here."""
        if await asyncio.to_thread(self.ownership.take_over, home_id, owner):
            return await self.app(scope, receive, send)
        await _unavailable(scope, send, f"home {home_id!r} is moving between replicas")

    # --- HTTP -------------------------------------------------------------------------

    async def _forward_http(self, scope: Scope, receive: Receive, send: Send, home_id: str, owner: str) -> None:
        body = bytearray()
        while True:  # the whole body first: if the owner is dead it is served here instead
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                return await _problem(send, 413, "Content too large", "the request body is too large")
            if not message.get("more_body"):
                break
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=httpx.Timeout(60, connect=2), follow_redirects=False)
        url = owner + scope.get("root_path", "") + scope["path"]
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
                   if k.decode("latin-1").lower() not in HOP_BY_HOP]
        headers.append((FORWARDED, self.ownership.address))
        request = self._http.build_request(scope["method"], url, headers=headers, content=bytes(body))
        try:
            response = await self._http.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            log.warning("the owner of home %s at %s does not answer", home_id, owner)
            replay = {"type": "http.request", "body": bytes(body), "more_body": False}

            async def again() -> dict[str, Any]:
                return replay

            return await self._take_over(scope, again, send, home_id, owner)
        try:
            out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.multi_items()
                   if k.lower() not in HOP_BY_HOP]
            await send({"type": "http.response.start", "status": response.status_code, "headers": out})
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()

    # --- WebSocket --------------------------------------------------------------------

    async def _forward_websocket(self, scope: Scope, receive: Receive, send: Send, home_id: str,
                                 owner: str) -> None:
        url = "ws" + owner.removeprefix("http") + scope.get("root_path", "") + scope["path"]
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
                   if k.decode("latin-1").lower() not in HOP_BY_HOP | WS_HANDSHAKE]
        headers.append((FORWARDED, self.ownership.address))
        try:
            upstream = await connect(url, additional_headers=headers, max_size=None, compression=None,
                                     open_timeout=5, ping_interval=None)
        except (OSError, asyncio.TimeoutError, InvalidStatus) as e:
            if isinstance(e, InvalidStatus) and e.response.status_code != 503:
                return await send({"type": "websocket.close", "code": 1011, "reason": ""})
            log.warning("the owner of home %s at %s does not answer (%s)", home_id, owner, e)
            return await self._take_over(scope, receive, send, home_id, owner)
        first = await receive()  # websocket.connect
        if first["type"] != "websocket.connect":
            await upstream.close()
            return
        await send({"type": "websocket.accept"})

        async def client_to_owner() -> None:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    await upstream.close(message.get("code", 1000))
                    return
                data = message.get("bytes") if message.get("bytes") is not None else message.get("text")
                if data is not None:
                    await upstream.send(data)

        async def owner_to_client() -> None:
            try:
                async for data in upstream:
                    key = "text" if isinstance(data, str) else "bytes"
                    await send({"type": "websocket.send", key: data})
            except ConnectionClosed:
                pass
            code = upstream.close_code or 1012  # no close frame: the owner died; the client reconnects
            await send({"type": "websocket.close", "code": 1012 if code == 1006 else code,
                        "reason": upstream.close_reason or ""})

        tasks = [asyncio.create_task(client_to_owner()), asyncio.create_task(owner_to_client())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await upstream.close()



def _header(scope: Scope, name: str) -> Optional[str]:
    for key, value in scope.get("headers", []):
        if key.decode("latin-1").lower() == name:
            return value.decode("latin-1")
    return None


async def _problem(send: Send, status: int, title: str, detail: str, headers: tuple = ()) -> None:
    body = json.dumps({"type": "https://twinspace.dev/problems/unavailable", "title": title, "status": status,
                       "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"), *headers]})
    await send({"type": "http.response.body", "body": body})


async def _unavailable(scope: Scope, send: Send, detail: str) -> None:
    if scope["type"] == "websocket":  # 1013: try again later
        return await send({"type": "websocket.close", "code": 1013, "reason": detail[:120]})
    await _problem(send, 503, "Service unavailable", detail + "; try again", ((b"retry-after", b"1"),))


def install_cluster(app: Any, hub: Any) -> None:
    """On a cluster replica (hub.cluster with ownership): forward other replicas' homes to them,
    renew this replica's leases while the app runs, and give them back when it stops."""
    replica = hub.cluster
    if replica is None or replica.ownership is None:
        return
    known: set[str] = set()

    def has_home(home_id: str) -> bool:
        if home_id not in known and hub.store.home_version(home_id) is not None:
            known.add(home_id)
        return home_id in known

    app.add_middleware(OwnerForwarding, ownership=replica.ownership, has_home=has_home)

    @asynccontextmanager
    async def lifespan(_app: Any):  # noqa: ANN202
        replica.start()
        try:
            yield
        finally:
            await asyncio.to_thread(replica.close)

    app.state.lifespan_hooks.insert(0, lifespan)  # first in, last out: leases outlive the rooms
