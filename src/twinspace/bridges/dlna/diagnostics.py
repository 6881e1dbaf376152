"""What support may see of a DLNA renderer bridge; the media token never appears."""

from __future__ import annotations

from typing import Any

from twinspace.bridges.entries import redact


def diagnostics(bridge: Any) -> dict[str, Any]:
    dmr = bridge._dmr  # noqa: SLF001
    return redact({
        "domain": "dlna",
        "device": bridge.device.id,
        "location": bridge.location,
        "hub_url": bridge.hub_url,
        "media_token": bridge._media_token,  # noqa: SLF001 - shown redacted, to say that one is set
        "connected": dmr is not None,
        "subscribed": bridge.subscribed,
        "connects": bridge.connects,
        "last_error": bridge.last_error,
        "renderer": None if dmr is None else {
            "name": dmr.name, "model": dmr.model_name, "transport": dmr.transport_state and dmr.transport_state.value,
            "uri": dmr.av_transport_uri, "position_s": dmr.media_position,
            "volume": dmr.volume_level if dmr.has_volume_level else None},
    })
