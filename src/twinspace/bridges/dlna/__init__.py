"""DLNA/UPnP media renderers (TVs, speakers, receivers) through async-upnp-client's DMR
profile: twinspace content played on them, pause, resume, stop, volume and mute, and their
position read back for a handoff."""

from __future__ import annotations

from typing import Any

from twinspace.bridges.base import Bridge, Discovered
from twinspace.bridges.connection import Backoff
from twinspace.bridges.dlna import config_flow
from twinspace.bridges.dlna.const import DOMAIN, NAME, POLL_S
from twinspace.bridges.dlna.coordinator import DlnaBridge
from twinspace.home.model import Device


class DlnaIntegration:
    domain = DOMAIN
    name = NAME

    async def discover(self, timeout_s: float) -> list[Discovered]:
        return await config_flow.discover(timeout_s)

    def create(self, home_id: str, entry: dict[str, Any], devices: list[Device]) -> list[Bridge]:
        """One bridge per renderer added (entry["renderers"][device id])."""
        renderers = entry.get("renderers") or {}
        backoff = entry.get("reconnect")
        return [DlnaBridge(home_id, d, renderers[d.id], backoff=Backoff(**backoff) if backoff else None,
                           poll_s=float(entry.get("poll_s") or POLL_S))
                for d in devices if d.id in renderers and renderers[d.id].get("location")]


INTEGRATION = DlnaIntegration()
