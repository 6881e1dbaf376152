"""On the main app: the owner's "add a device" API (a pairing code as a link and a QR code),
and `/setup` (answered in LAN mode, 404 in loopback mode)."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any, Optional

from fastapi import APIRouter, Body, Depends, FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.errors import Forbidden
from twinspace.lan import qr
from twinspace.lan.names import split_host
from twinspace.lan.setup_page import setup_routes
from twinspace.server.auth import member

LINK_TTL = timedelta(minutes=5)  # a QR code on a screen is seen by more eyes than a code typed once


class NewPairingCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: Optional[str] = Field(None, description="pair the new device as this person (default: the owner)")


class PairingLink(BaseModel):
    code: str = Field(description="the one-time code, also in the link's fragment")
    person: Optional[str]
    expires_at: datetime
    url: str = Field(description="opening it pairs a device in one step: https://<hub>/#pair=<code>")
    qr_svg: str = Field(description="the URL as a QR code, inline SVG")
    lan: bool = Field(description="false in loopback mode: other devices cannot reach the hub yet")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def link_origin(app: FastAPI, request: Request) -> str:
    """Where the new device should go: the name the owner uses, unless it only works on this machine."""
    state = getattr(app.state, "lan", None)
    if state is None:
        return f"{request.url.scheme}://{request.url.netloc}"
    host = split_host(request.headers.get("host") or "")
    if not host or _is_loopback(host) or not state.names().allows_host(host):
        return state.origin()
    return state.origin(host)


def install_lan(app: FastAPI, hub: Any) -> None:
    router = APIRouter(prefix="/api/v1/homes/{home_id}", tags=["access"])

    @router.post("/pairing-codes", response_model=PairingLink, status_code=201,
                 summary="A one-time pairing link and its QR code (owner only)")
    def new_pairing_code(home_id: str, request: Request, response: Response,
                         body: NewPairingCode = Body(default_factory=NewPairingCode),
                         who: Caller = Depends(member)) -> PairingLink:
        if who.role != "owner":
            raise Forbidden("only the home's owner can add devices")
        code = access.create_pairing_code(hub.store, home_id, body.person, ttl=LINK_TTL)
        link = qr.pairing_link(link_origin(app, request), code.code)
        response.headers["Cache-Control"] = "no-store"
        return PairingLink(code=code.code, person=code.person, expires_at=code.expires_at, url=link,
                           qr_svg=qr.svg(link), lan=getattr(app.state, "lan", None) is not None)

    app.include_router(router)
    app.router.routes.extend(setup_routes(lambda: getattr(app.state, "lan", None)))
