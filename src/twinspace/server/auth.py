"""Who is calling: FastAPI dependencies over the hub's device tokens."""

from __future__ import annotations

import hashlib
from typing import Optional

from fastapi import Depends, Header, Path, Request
from starlette.requests import HTTPConnection

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.spaces import admission


def bearer(authorization: Optional[str]) -> Optional[str]:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def token_caller(request: Request, authorization: Optional[str] = Header(None, include_in_schema=False)) -> Caller:
    """The caller a request's bearer token stands for (401 without a valid one), guests included."""
    return access.authenticate(request.app.state.hub.store, bearer(authorization))


def caller(who: Caller = Depends(token_caller)) -> Caller:
    """The caller, for routes that are not about one twin: a guest's pass to a space is refused."""
    return admission.refuse_guest(who)


def member(request: Request, home_id: str = Path(description="the home id"),
           who: Caller = Depends(token_caller)) -> Caller:
    """The caller as it acts on the home (or space) in the path, which it must reach
    (spaces/admission.py: its own home, a space that home hosts, a guest's one space).

    The same answer whether the home exists or not: a token learns nothing about other homes.
    """
    return admission.admit(request.app.state.hub, who, home_id)


def device_key(request: HTTPConnection) -> Optional[str]:
    """Which device is asking, for its share of a model's queue: its token, hashed (a WebSocket
    may carry it in `?token=`)."""
    token = bearer(request.headers.get("authorization")) or request.query_params.get("token")
    return hashlib.sha256(token.encode()).hexdigest()[:16] if token else None
