"""mDNS/DNS-SD: the hub advertises `_twinspace._tcp` and answers `<host>.local`; `browse` finds hubs.

TXT keys: `v` (twinspace version), `home` (the home's name), `https` (port), `ca` (SHA-256
of the hub's CA certificate, hex, absent with a household's own certificate), `path`.
Nothing secret is advertised: the fingerprint lets a device check the CA it downloads.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass
from typing import Optional, Sequence

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

log = logging.getLogger("twinspace.lan")

SERVICE = "_twinspace._tcp.local."


def service_info(label: str, home_name: str, port: int, addresses: Sequence[str],
                 properties: dict[str, str]) -> AsyncServiceInfo:
    instance = f"{home_name} on {label}"[:63].strip()
    return AsyncServiceInfo(SERVICE, f"{instance}.{SERVICE}", port=port, properties=properties,
                            server=f"{label}.local.", parsed_addresses=list(addresses))


def txt(version: str, home_name: str, https_port: int, ca_fingerprint: Optional[str]) -> dict[str, str]:
    out = {"v": version, "home": home_name[:200], "https": str(https_port), "path": "/"}
    if ca_fingerprint:
        out["ca"] = ca_fingerprint.replace(":", "").lower()
    return out


def _interfaces(bound: Optional[str]) -> object:
    """Advertise on the bound address's interface only, or on every interface for 0.0.0.0."""
    from zeroconf import InterfaceChoice

    if bound and not ipaddress.ip_address(bound).is_unspecified:
        return [bound]
    return InterfaceChoice.All


class Advertiser:
    """One registered service; `close` sends the goodbye packets so browsers drop the hub at once."""

    def __init__(self, bound: Optional[str] = None) -> None:
        self.bound = bound
        self._zc: Optional[AsyncZeroconf] = None
        self.info: Optional[AsyncServiceInfo] = None

    async def start(self, info: AsyncServiceInfo) -> None:
        self._zc = AsyncZeroconf(interfaces=_interfaces(self.bound), ip_version=IPVersion.V4Only)
        # allow_name_change: a second hub with the same home name on the network gets "(2)".
        await (await self._zc.async_register_service(info, allow_name_change=True))
        self.info = info
        log.info("advertising %s on mDNS", info.name)

    async def update(self, addresses: Sequence[str]) -> None:
        if self._zc is None or self.info is None:
            return
        self.info.addresses = [ipaddress.ip_address(a).packed for a in addresses]
        await (await self._zc.async_update_service(self.info))

    async def close(self) -> None:
        if self._zc is None:
            return
        try:
            if self.info is not None:
                await (await self._zc.async_unregister_service(self.info))
        finally:
            await self._zc.async_close()
            self._zc, self.info = None, None


@dataclass(frozen=True)
class FoundHub:
    name: str
    server: str
    addresses: tuple[str, ...]
    port: int
    properties: dict[str, str]

    @property
    def url(self) -> str:
        host = self.server.rstrip(".") or (self.addresses[0] if self.addresses else "?")
        return f"https://{host}:{self.port}/"


def browse(seconds: float = 3.0, interfaces: Optional[str] = None) -> list[FoundHub]:
    """The hubs that answer within `seconds`, resolved (addresses, port, TXT)."""
    zc = Zeroconf(interfaces=_interfaces(interfaces), ip_version=IPVersion.V4Only)  # type: ignore[arg-type]
    names: list[str] = []

    def changed(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is ServiceStateChange.Added and name not in names:
            names.append(name)
        elif state_change is ServiceStateChange.Removed and name in names:
            names.remove(name)

    try:
        browser = ServiceBrowser(zc, SERVICE, handlers=[changed])
        time.sleep(seconds)
        browser.cancel()
        found = []
        for name in list(names):
            info = ServiceInfo(SERVICE, name)
            if not info.request(zc, 2000):
                continue
            props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
            found.append(FoundHub(name.removesuffix("." + SERVICE), info.server or "",
                                  tuple(info.parsed_addresses()), info.port or 0, props))
        return found
    finally:
        zc.close()
