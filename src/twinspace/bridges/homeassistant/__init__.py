"""Home Assistant: lights, switches, fans and media players of a household's existing Home
Assistant, over its WebSocket API with a long-lived token (the `hass-client` library)."""

from __future__ import annotations

from typing import Any

from twinspace.bridges.base import Bridge, Discovered
from twinspace.bridges.connection import Backoff
from twinspace.bridges.homeassistant import config_flow
from twinspace.bridges.homeassistant.const import DOMAIN, NAME
from twinspace.bridges.homeassistant.coordinator import HomeAssistantBridge
from twinspace.home.model import Device


class HomeAssistantIntegration:
    domain = DOMAIN
    name = NAME

    async def discover(self, timeout_s: float) -> list[Discovered]:
        return await config_flow.discover(timeout_s)

    def create(self, home_id: str, entry: dict[str, Any], devices: list[Device]) -> list[Bridge]:
        bound = [d for d in devices if (d.bridge or {}).get("entity")]
        if not bound:
            return []
        backoff = Backoff(**entry["reconnect"]) if "reconnect" in entry else None
        return [HomeAssistantBridge(home_id, entry["url"], entry["token"], bound, backoff=backoff)]


INTEGRATION = HomeAssistantIntegration()
