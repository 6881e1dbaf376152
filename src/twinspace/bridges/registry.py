"""The integrations twinspace knows, by domain (the `type` of a device's bridge binding)."""

from __future__ import annotations

import importlib

from twinspace.bridges.base import Integration
from twinspace.errors import NotFound

# domain → module whose `INTEGRATION` is the integration; imported only when used.
INTEGRATIONS: dict[str, str] = {
    "homeassistant": "twinspace.bridges.homeassistant",
    "webos": "twinspace.bridges.webos",
    "dlna": "twinspace.bridges.dlna",
}


def integration(domain: str) -> Integration:
    module = INTEGRATIONS.get(domain)
    if module is None:
        raise NotFound(f"there is no bridge {domain!r}; bridges: {', '.join(sorted(INTEGRATIONS))}")
    return importlib.import_module(module).INTEGRATION
