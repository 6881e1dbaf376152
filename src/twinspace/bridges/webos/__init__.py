"""LG webOS TVs through aiowebostv: power (Wake-on-LAN when asleep), volume and mute, the
TV's apps, and twinspace's own content played by the TV's media viewer."""

from __future__ import annotations

from typing import Any

from twinspace.bridges.base import Bridge, Discovered
from twinspace.bridges.connection import Backoff
from twinspace.bridges.webos import config_flow
from twinspace.bridges.webos.const import DOMAIN, NAME
from twinspace.bridges.webos.coordinator import WebOsBridge
from twinspace.home.model import Device


class WebOsIntegration:
    domain = DOMAIN
    name = NAME

    async def discover(self, timeout_s: float) -> list[Discovered]:
        return await config_flow.discover(timeout_s)

    def create(self, home_id: str, entry: dict[str, Any], devices: list[Device]) -> list[Bridge]:
        """One bridge per paired TV (entry["tvs"][device id]); unpaired TVs stay twin-only."""
        tvs = entry.get("tvs") or {}
        backoff = entry.get("reconnect")
        return [WebOsBridge(home_id, d, tvs[d.id], backoff=Backoff(**backoff) if backoff else None)
                for d in devices if d.id in tvs and tvs[d.id].get("client_key")]


INTEGRATION = WebOsIntegration()
