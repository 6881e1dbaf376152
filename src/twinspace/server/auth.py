"""Who is calling: FastAPI dependencies over the hub's device tokens."""

from __future__ import annotations

import hashlib
from typing import Optional

from fastapi import Depends, Header, Path, Request
from starlette.requests import HTTPConnection

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.errors import Forbidden


def bearer(authorization: Optional[str]) -> Optional[str]:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def caller(request: Request, authorization: Optional[str] = Header(None, include_in_schema=False)) -> Caller:
    """The caller a request's bearer token stands for (401 without a valid one)."""
    return access.authenticate(request.app.state.hub.store, bearer(authorization))


def member(home_id: str = Path(description="the home id"), who: Caller = Depends(caller)) -> Caller:
    """The caller, who must belong to the home in the path.

    The same answer whether the home exists or not: a token learns nothing about other homes.
    """
    if who.home_id != home_id:
        raise Forbidden("this device is not paired with that home")
    return who


def device_key(request: HTTPConnection) -> Optional[str]:
    """Which device is asking, for its share of a model's queue: its token, hashed (a WebSocket
    may carry it in `?token=`)."""
    token = bearer(request.headers.get("authorization")) or request.query_params.get("token")
    return hashlib.sha256(token.encode()).hexdigest()[:16] if token else None
