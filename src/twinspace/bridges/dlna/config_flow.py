"""Setting up a DLNA renderer: find it (SSDP M-SEARCH for MediaRenderer devices), read its
description, and bind a twin TV or speaker to it. Nothing to pair: DLNA has no credentials;
the media token a renderer fetches the hub's on-demand titles with is kept in the entry."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

import aiohttp
from async_upnp_client.aiohttp import AiohttpSessionRequester
from async_upnp_client.client_factory import UpnpFactory
from async_upnp_client.exceptions import UpnpError
from async_upnp_client.profiles.dlna import DmrDevice

from twinspace.bridges.base import BridgeError, Discovered
from twinspace.bridges.dlna.const import DOMAIN, REQUEST_TIMEOUT_S, SSDP_ST


@dataclass(frozen=True)
class Renderer:
    location: str
    name: str
    model: Optional[str]
    udn: str
    volume: bool  # it has RenderingControl volume


async def discover(timeout_s: float, *, target: Optional[tuple[str, int]] = None) -> list[Discovered]:
    """Renderers answering an SSDP search; `target` sends it to one address instead of the
    multicast group (a renderer on another subnet, or a test double on loopback)."""
    from async_upnp_client.search import async_search

    found: dict[str, Discovered] = {}

    async def seen(headers: Any) -> None:
        location = headers.get("location") or ""
        udn = (headers.get("usn") or "").split("::", 1)[0]
        if location and (udn or location) not in found:
            found[udn or location] = Discovered(DOMAIN, headers.get("server") or "DLNA renderer",
                                                urlsplit(location).hostname or "", urlsplit(location).port,
                                                {"location": location, "udn": udn, "st": headers.get("st") or ""})

    await async_search(seen, timeout=max(1, round(timeout_s)), search_target=SSDP_ST, target=target)
    return list(found.values())


async def describe(location: str) -> Renderer:
    """Read a renderer's device description; says clearly when it is not one."""
    async with aiohttp.ClientSession() as session:
        requester = AiohttpSessionRequester(session, timeout=REQUEST_TIMEOUT_S)
        try:
            device = await UpnpFactory(requester, non_strict=True).async_create_device(location)
        except (UpnpError, aiohttp.ClientError, asyncio.TimeoutError) as e:
            raise BridgeError(f"no UPnP device answered at {location} ({e or type(e).__name__}); check that it is "
                              f"on and on this network (`twinspace bridge dlna discover`)") from None
        if not DmrDevice.is_profile_device(device):
            raise BridgeError(f"{device.friendly_name} at {location} is not a DLNA media renderer "
                              f"(it has no AVTransport service)")
        dmr = DmrDevice(device, None)
        return Renderer(location, dmr.name, dmr.model_name, dmr.udn, dmr.has_volume_level)
