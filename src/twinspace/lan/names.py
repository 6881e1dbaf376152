"""The names and addresses the hub answers to.

One list serves three purposes: the server certificate's subject alternative names, the
`Host` allow-list (a name the certificate does not cover is a DNS-rebinding attempt or a
mistake) and the `Origin` allow-list (`https://<name>:<port>` for each name).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Iterable, Optional, Union
from urllib.parse import urlsplit

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
_LABEL = re.compile(r"[^a-z0-9-]+")


def host_label(hostname: Optional[str] = None) -> str:
    """This machine's host name as one DNS label (`Hub Box.example` → `hub-box`)."""
    first = (hostname or socket.gethostname()).split(".")[0].lower()
    return _LABEL.sub("-", first).strip("-")[:63] or "twinspace"


def lan_addresses() -> list[IPAddress]:
    """The machine's addresses other devices can reach: no loopback, no IPv6 link-local."""
    import ifaddr  # zeroconf's own dependency: the interfaces of every platform

    found: list[IPAddress] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            raw = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            try:
                addr = ipaddress.ip_address(raw.split("%")[0])
            except ValueError:
                continue
            if addr.is_loopback or addr.is_link_local or addr.is_multicast or addr.is_unspecified:
                continue
            if addr not in found:
                found.append(addr)
    return found


def split_host(host: str) -> str:
    """`Host` header → the name alone: `hub.local:8443` → `hub.local`, `[fe80::1]:8443` → `fe80::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        return host.split(":")[0]
    return host.rstrip(".")


def _as_ip(value: str) -> Optional[IPAddress]:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class HubNames:
    """DNS names and IP addresses, in the order they are shown (most useful first)."""

    dns: tuple[str, ...]
    ips: tuple[IPAddress, ...]
    bound: Optional[IPAddress] = None  # the one address the hub listens on, when not all of them

    @classmethod
    def gather(cls, label: str, extra: Iterable[str] = (), addresses: Iterable[IPAddress] = (),
               bound: Optional[str] = None) -> "HubNames":
        dns = [*extra, f"{label}.local", label, "localhost"]
        ips: list[IPAddress] = list(addresses)
        bound_ip = _as_ip(bound) if bound else None
        if bound_ip is not None and not bound_ip.is_unspecified:
            ips.insert(0, bound_ip)
        ips += [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
        specific = bound_ip if bound_ip is not None and not bound_ip.is_unspecified else None
        return cls(tuple(dict.fromkeys(n.lower() for n in dns)), tuple(dict.fromkeys(ips)), specific)

    def allows_host(self, host_header: Optional[str]) -> bool:
        if not host_header:
            return False
        host = split_host(host_header)
        ip = _as_ip(host)
        return ip in self.ips if ip is not None else host in self.dns

    def origin(self, host: str, port: int) -> str:
        shown = f"[{host}]" if ":" in host else host
        return f"https://{shown}" if port == 443 else f"https://{shown}:{port}"

    def allows_origin(self, origin: Optional[str], port: int) -> bool:
        """An Origin header of one of the hub's own HTTPS origins."""
        if not origin:
            return False
        parts = urlsplit(origin.lower())
        if parts.scheme != "https" or parts.path not in ("", "/") or not parts.hostname:
            return False
        if (parts.port or 443) != port:
            return False
        return self.allows_host(parts.netloc)

    def urls(self, port: int) -> list[str]:
        """The hub's HTTPS addresses for people: its names, then its addresses (not localhost)."""
        names = [n for n in self.dns if n != "localhost" and "." in n]
        ips = [str(ip) for ip in self.ips if str(ip) not in ("127.0.0.1", "::1") or ip == self.bound]
        return [self.origin(h, port) for h in [*names, *ips]]

    def public_host(self) -> str:
        """The name QR codes carry: the first extra name, else the first LAN address, else the bound
        address, else `<host>.local`."""
        local = next(n for n in self.dns if n.endswith(".local"))
        if self.dns[0] != local:
            return self.dns[0]
        lan_ips = [ip for ip in self.ips if not ip.is_loopback and ip.version == 4]
        if lan_ips:
            return str(lan_ips[0])
        return str(self.bound) if self.bound is not None else local
