"""Setting up an LG TV: find it (SSDP), pair through the prompt on its screen, and learn its
MAC address (for Wake-on-LAN). The client key the TV issues is a secret: it goes into the
home's webOS entry (bridges/entries.py, mode 0600), never into the home, logs or exports."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

from aiowebostv import WebOsClient
from aiowebostv.exceptions import WebOsTvError, WebOsTvPairError

from twinspace.bridges.base import BridgeError, Discovered
from twinspace.bridges.webos.const import DOMAIN, PAIR_TIMEOUT_S, SSDP_ST
from twinspace.bridges.webos.coordinator import pairing_refused_message


@dataclass(frozen=True)
class Paired:
    client_key: str
    model: Optional[str]
    mac: Optional[str]
    apps: dict[str, str]  # TV app id → title


async def discover(timeout_s: float) -> list[Discovered]:
    """LG TVs answering an SSDP search for the webOS second-screen service."""
    from async_upnp_client.search import async_search

    found: dict[str, Discovered] = {}

    async def seen(headers: Any) -> None:
        location = headers.get("location") or ""
        host = urlsplit(location).hostname or headers.get("_host")
        if host and host not in found:
            found[host] = Discovered(DOMAIN, headers.get("server") or "LG webOS TV", host, None,
                                     {"location": location, "usn": headers.get("usn") or ""})

    await async_search(seen, timeout=max(1, int(timeout_s)), search_target=SSDP_ST)
    return list(found.values())


def _mac(connection: Optional[dict[str, Any]]) -> Optional[str]:
    for kind in ("wiredInfo", "wifiInfo"):
        mac = ((connection or {}).get(kind) or {}).get("macAddress")
        if mac:
            return mac
    return None


async def pair(host: str, *, client_key: Optional[str] = None, timeout_s: float = PAIR_TIMEOUT_S) -> Paired:
    """Connect to the TV; a TV that does not know us shows a prompt the person accepts."""
    client = WebOsClient(host, client_key)
    try:
        async with asyncio.timeout(timeout_s):
            await client.connect()
        info = client.tv_info
        return Paired(client.client_key or "", (info.system or {}).get("modelName"), _mac(info.connection),
                      {i: a.get("title") or i for i, a in client.tv_state.apps.items()})
    except WebOsTvPairError as e:
        raise BridgeError(pairing_refused_message(host, str(e))) from None
    except (TimeoutError, OSError, WebOsTvError) as e:
        raise BridgeError(f"no LG TV answered at {host} (ports 3000 and 3001): {e or type(e).__name__}. Check that "
                          f"it is on, on this network, and that 'LG Connect Apps' is enabled") from None
    finally:
        await client.disconnect()
