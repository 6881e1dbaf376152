"""Who may send a body, and how much: decided before a byte of it is read.

FastAPI reads and parses a request's body before it runs the dependency that checks the
token, so four unauthenticated 100 MB bodies once took 1.1 GB. This ASGI middleware runs
first. A request with a body is answered 401 unless its device token is valid (only
pairing takes a body without one: `PUBLIC`), and 413 when its declared length is over the
path's limit (`LIMITS`, else `DEFAULT_LIMIT`), both without reading the body. Bodies are
then counted as they stream, so a missing or false Content-Length gains nothing. Every
refusal is a problem document.

JSON bodies are held to RFC 8259 here too: Python's parser accepts `NaN` and `Infinity`,
which no action can use (`"yaw_deg": Infinity` once ended in a 500), so such a body is a
422 for every route at once instead of a check in every model with a float.

(Starlette's own RequestBodyLimitMiddleware answers in plain text, and FastAPI's per-route
`max_body_size` runs after the route is chosen, too late to refuse before authentication.)
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from twinspace import access
from twinspace.errors import InvalidInput, TwinspaceError, Unauthorized
from twinspace.server.auth import bearer
from twinspace.server.problems import problem_response

DEFAULT_LIMIT = 64 * 1024  # JSON bodies of actions, turns, pairing, speech (4,096 escaped emoji is 49 KB)
LIMITS = {
    "/v1/audio/transcriptions": 25 * 1024 * 1024 + 256 * 1024,  # a 25 MB recording and its form fields
    "/v1/chat/completions": 1024 * 1024,  # conversations with tool schemas
}
ACTION_LIMITS = {
    "room.capture": 16 * 1024 * 1024,  # a headset's detected planes and meshes (a large room's global mesh)
}
PUBLIC = frozenset({"/api/v1/pair"})  # the only bodies accepted without a device token, and:
PUBLIC_PATTERN = re.compile(r"^/api/v1/invites/[A-Za-z0-9-]{1,40}/redeem$")  # a guest hub redeems an invite


class TooLarge(TwinspaceError):
    status = 413
    title = "Content too large"
    slug = "content-too-large"


def limit_for(path: str) -> int:
    path = path.rstrip("/") or "/"
    if "/actions/" in path:  # /api/v1/homes/{home}/actions/{action}
        return ACTION_LIMITS.get(path.rsplit("/", 1)[1], DEFAULT_LIMIT)
    return LIMITS.get(path, DEFAULT_LIMIT)


def _too_large(path: str, limit: int) -> str:
    return f"the request body is larger than {limit // 1024} KB, the most {path} takes; send less"


class BodyGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        if headers is None or not _has_body(headers):
            await self.app(scope, receive, send)
            return
        path, declared = scope["path"], headers.get("content-length", "")
        limit = limit_for(path)
        error: Optional[TwinspaceError] = None
        if path.rstrip("/") not in PUBLIC and not PUBLIC_PATTERN.match(path.rstrip("/")):
            try:
                await run_in_threadpool(access.authenticate, scope["app"].state.hub.store,
                                        bearer(headers.get("authorization")))
            except Unauthorized as e:
                error = e
        if error is None and declared.isdigit() and int(declared) > limit:
            error = TooLarge(_too_large(path, limit))
        if error is None and "json" in headers.get("content-type", ""):
            body = await _read(receive, path, limit)
            if body is None:
                return  # the client went away
            if isinstance(body, TwinspaceError):
                error = body
            else:
                error = _non_standard_json(body)
                receive = _replay(body, receive)
        if error is not None:
            await problem_response(error)(scope, receive, send)
            return
        await self.app(scope, _counted(receive, path, limit), send)


def _has_body(headers: Headers) -> bool:
    declared = headers.get("content-length")
    return "transfer-encoding" in headers or (declared is not None and declared != "0")


def _counted(receive: Receive, path: str, limit: int) -> Receive:
    """`receive`, failing with 413 once more than `limit` bytes came (FastAPI re-raises an
    HTTPException met while reading a body, and the app's handler makes it a problem)."""
    total = 0

    async def counted() -> Message:
        nonlocal total
        message = await receive()
        total += len(message.get("body", b""))
        if total > limit:
            raise HTTPException(413, _too_large(path, limit))
        return message

    return counted


async def _read(receive: Receive, path: str, limit: int) -> "bytes | TwinspaceError | None":
    """The whole body, if it is at most `limit` bytes; None if the client went away."""
    chunks, total = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        total += len(chunk)
        if total > limit:
            return TooLarge(_too_large(path, limit))
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJson(name)


def _non_standard_json(body: bytes) -> Optional[InvalidInput]:
    if b"NaN" not in body and b"Infinity" not in body:
        return None  # the common case: nothing to look for
    try:
        json.loads(body, parse_constant=_reject_constant)
    except _NotJson as e:
        return InvalidInput(f"the body contains {e}, which is not a JSON number (RFC 8259); send a finite number")
    except ValueError:
        pass  # malformed JSON: the route answers that with where it went wrong
    return None


def install_body_guard(app: FastAPI) -> None:
    """Check tokens and sizes before bodies are read, and hold JSON bodies to the standard."""
    app.add_middleware(BodyGuard)
