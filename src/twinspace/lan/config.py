"""LAN settings from `TWINSPACE_*` variables; loopback mode (LAN off) is the default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from twinspace.errors import InvalidInput

DEFAULT_HTTPS_PORT = 8443


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise InvalidInput(f"{name} must be a port number (1-65535), not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class LanConfig:
    enabled: bool = False
    https_port: int = DEFAULT_HTTPS_PORT
    names: tuple[str, ...] = ()  # extra DNS names the hub answers to; the first one goes into QR codes
    tls_cert: Optional[Path] = None  # a household's own certificate (PEM chain) ...
    tls_key: Optional[Path] = None  # ... and its key; then no local CA is made
    advertise: bool = True  # mDNS/DNS-SD

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "LanConfig":
        env = os.environ if env is None else env
        enabled = env.get("TWINSPACE_LAN", "").strip().lower() in ("1", "true", "yes", "on")
        names = tuple(n.strip().lower().rstrip(".") for n in env.get("TWINSPACE_LAN_NAMES", "").split(",") if n.strip())
        cert, key = env.get("TWINSPACE_TLS_CERT") or None, env.get("TWINSPACE_TLS_KEY") or None
        if bool(cert) != bool(key):
            raise InvalidInput("set both TWINSPACE_TLS_CERT and TWINSPACE_TLS_KEY (a PEM certificate chain and its "
                               "key), or neither to use the hub's own local CA")
        for label, value in (("TWINSPACE_TLS_CERT", cert), ("TWINSPACE_TLS_KEY", key)):
            if value and not Path(value).is_file():
                raise InvalidInput(f"{label}: there is no file {value}")
        advertise = env.get("TWINSPACE_MDNS", "1").strip().lower() not in ("0", "false", "no", "off")
        return cls(enabled=enabled, https_port=_port(env, "TWINSPACE_HTTPS_PORT", DEFAULT_HTTPS_PORT), names=names,
                   tls_cert=Path(cert) if cert else None, tls_key=Path(key) if key else None, advertise=advertise)

    @property
    def own_certificate(self) -> bool:
        return self.tls_cert is not None
