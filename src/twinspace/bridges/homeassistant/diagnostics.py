"""What support may see of a Home Assistant bridge; the token never appears."""

from __future__ import annotations

from typing import Any

from twinspace.bridges.entries import redact


def diagnostics(bridge: Any) -> dict[str, Any]:
    return redact({
        "domain": "homeassistant",
        "url": bridge.url,
        "token": bridge._token,  # noqa: SLF001 - shown redacted, to say that one is set
        "connected": bridge._client is not None,  # noqa: SLF001
        "connects": bridge.connects,
        "last_error": bridge.last_error,
        "devices": {d: {"entity": e, "state": (bridge.states.get(e) or {}).get("state")}
                    for d, e in bridge.entity_of.items()},
    })
