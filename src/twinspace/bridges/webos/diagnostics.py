"""What support may see of a webOS bridge; the client key and media token never appear."""

from __future__ import annotations

from typing import Any

from twinspace.bridges.entries import redact


def diagnostics(bridge: Any) -> dict[str, Any]:
    client = bridge._client  # noqa: SLF001
    tv = client.tv_state if client is not None else None
    return redact({
        "domain": "webos",
        "device": bridge.device.id,
        "host": bridge.host,
        "mac": bridge.mac,
        "hub_url": bridge.hub_url,
        "client_key": bridge._client_key,  # noqa: SLF001 - shown redacted, to say that one is set
        "media_token": bridge._media_token,  # noqa: SLF001
        "connected": client is not None,
        "connects": bridge.connects,
        "last_error": bridge.last_error,
        "state": None if tv is None else {"on": tv.is_on, "volume": tv.volume, "muted": tv.muted,
                                          "app": tv.current_app_id, "apps": len(tv.apps)},
    })
