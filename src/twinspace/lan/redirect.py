"""The plain-HTTP port in LAN mode: the setup page, the CA certificate, and a redirect.

Nothing else is served here: no API, no WebSocket, no client. A GET or HEAD is redirected
to the same path over HTTPS (for a name the hub answers to); any other method is refused
rather than redirected, so a body (a pairing code, a token) is never replayed by a client
that already sent it in the clear.
"""

from __future__ import annotations

from typing import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from twinspace.errors import Forbidden
from twinspace.lan.guard import MisdirectedRequest
from twinspace.lan.names import split_host
from twinspace.lan.setup_page import setup_routes
from twinspace.lan.state import LanState
from twinspace.server.problems import problem_response


def redirect_app(state: Callable[[], LanState]) -> Starlette:
    async def elsewhere(request: Request) -> Response:
        s = state()
        names = s.names()
        host = request.headers.get("host")
        if not names.allows_host(host):
            return problem_response(MisdirectedRequest(
                f"this hub does not answer to the name {host!r}; open {s.setup_url()}"))
        if request.method not in ("GET", "HEAD"):
            return problem_response(Forbidden(
                f"this port only redirects to HTTPS; send the request to {s.origin(split_host(host or ''))}"))
        target = s.origin(split_host(host or "")) + request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(target, status_code=308)

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(routes=[
        *setup_routes(lambda: state()),
        Route("/", elsewhere, methods=methods),
        Route("/{path:path}", elsewhere, methods=methods),
    ])
