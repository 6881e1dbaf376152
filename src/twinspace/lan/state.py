"""What the LAN routes need to know about the running hub: ports, names, the certificate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from twinspace.lan.ca import LocalCA
from twinspace.lan.names import HubNames
from twinspace.lan.tls import CertificateKeeper


@dataclass
class LanState:
    keeper: CertificateKeeper
    https_port: int
    http_port: int
    home_name: str = "twinspace"

    def names(self) -> HubNames:
        return self.keeper.names

    @property
    def ca(self) -> Optional[LocalCA]:
        return self.keeper.ca

    def origin(self, host: Optional[str] = None) -> str:
        """The HTTPS origin for `host` (default: the name QR codes carry)."""
        names = self.names()
        return names.origin(host or names.public_host(), self.https_port)

    def setup_url(self, host: Optional[str] = None) -> str:
        host = host or self.names().public_host()
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.http_port}/setup"
