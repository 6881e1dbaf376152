"""Where a device on the home network fetches the hub's content.

The hub's own paths (`/media/vod/<id>/index.m3u8`, `/demo/live/...`) are joined to the
address the device reaches the hub at, with the device's media token (both need a device
of the home: media/routes.py); a URL elsewhere is the device's to fetch as it is. Shared by every bridge
that plays twinspace content on a device (the LG TV's media viewer, DLNA renderers).
"""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlencode, urljoin

from twinspace.bridges.base import BridgeError

TOKENED = ("media/", "demo/live/")  # the hub's media paths that answer only a device of the home


def device_url(url: str, hub_url: Optional[str], media_token: Optional[str], *, who: str, how_to_fix: str) -> str:
    """`url` as the device (`who`, "the TV") must fetch it; `how_to_fix` says how to give the
    hub's address ("pair again with --hub-url")."""
    if "://" in url and not url.startswith(("http://127.", "http://localhost")):
        return url
    if not hub_url:
        raise BridgeError(f"{who} cannot reach this hub's media: {how_to_fix} "
                          f"http://<this hub's address on the home network>:8080")
    path = url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url.lstrip("/")
    joined = urljoin(hub_url.rstrip("/") + "/", path)
    if path.startswith(TOKENED) and media_token:
        joined += ("&" if "?" in joined else "?") + urlencode({"token": media_token})
    return joined
