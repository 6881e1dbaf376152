"""Checks for a hub on a shared network, in front of every HTTPS route.

- `Host` must be one of the hub's own names (the certificate's): a page on another site
  that points its own DNS name at the hub (DNS rebinding) is refused before any route runs.
- `Origin`, when a browser sends one (fetches, form posts, every WebSocket), must be one of
  the hub's own HTTPS origins; between those, CORS answers (a page opened by address may
  call the hub by name). Any other site is refused, WebSockets included.
- Every HTTPS response carries HSTS, so a device that reached the hub once never again
  talks to it in the clear.
"""

from __future__ import annotations

from typing import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from twinspace.errors import Forbidden, TwinspaceError
from twinspace.lan.names import HubNames
from twinspace.server.problems import problem_response

HSTS = "max-age=15552000"  # 180 days; no includeSubDomains: `.local` names have no subdomains to cover


class MisdirectedRequest(TwinspaceError):
    status = 421
    title = "Misdirected request"
    slug = "misdirected"


class _OwnOriginsCors(CORSMiddleware):
    """Starlette's CORS with the allow-list read live (the hub's addresses may change)."""

    def __init__(self, app: ASGIApp, allowed: Callable[[str], bool]) -> None:
        super().__init__(app, allow_origins=[], allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                         allow_headers=["Authorization", "Content-Type", "Accept"], max_age=600)
        self._allowed = allowed

    def is_allowed_origin(self, origin: str) -> bool:
        return self._allowed(origin)


class SharedNetworkGuard:
    def __init__(self, app: ASGIApp, names: Callable[[], HubNames], https_port: int, hsts: bool = True) -> None:
        self.names = names
        self.https_port = https_port
        self.hsts = hsts
        self.app = _OwnOriginsCors(app, lambda origin: self.names().allows_origin(origin, self.https_port))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        names = self.names()
        host = headers.get("host")
        if not names.allows_host(host):
            where = names.origin(names.public_host(), self.https_port)
            return await _refuse(scope, receive, send, MisdirectedRequest(
                f"this hub does not answer to the name {host!r}; open {where} (names: {', '.join(names.dns)})"))
        origin = headers.get("origin")
        if origin is not None and not names.allows_origin(origin, self.https_port):
            return await _refuse(scope, receive, send, Forbidden(
                f"requests from the page {origin!r} are refused: only the hub's own pages may call it"))
        if scope["type"] != "http" or not self.hsts:
            return await self.app(scope, receive, send)

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_hsts)


async def _refuse(scope: Scope, receive: Receive, send: Send, error: TwinspaceError) -> None:
    if scope["type"] == "websocket":
        # Closing before accepting: the server answers the upgrade with 403 and no socket opens.
        await send({"type": "websocket.close", "code": 1008, "reason": error.detail[:120]})
        return
    await problem_response(error)(scope, receive, send)
