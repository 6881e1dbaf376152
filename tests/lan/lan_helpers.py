"""Helpers for the LAN tests (a module of its own: test directories share `conftest`)."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from twinspace.hub import Hub
from twinspace.lan.server import LanServer

HOME = "demo-loft"
HOST_IP = "127.0.0.2"
HUB_NAME = "hub.twinspace.test"


@dataclass
class LanHub:
    hub: Hub
    server: LanServer
    data: Path
    addresses: list[Any] = field(default_factory=list)

    @property
    def https_port(self) -> int:
        return self.server.state.https_port

    @property
    def http_port(self) -> int:
        return self.server.state.http_port

    @property
    def https_url(self) -> str:
        """By the test name (what the browser uses, mapped to 127.0.0.2)."""
        return f"https://{HUB_NAME}:{self.https_port}"

    @property
    def https_ip_url(self) -> str:
        """By address (what Python clients use: they cannot map names)."""
        return f"https://{HOST_IP}:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://{HOST_IP}:{self.http_port}"


def served_certificate(port: int, context: ssl.SSLContext | None = None, name: str = HUB_NAME) -> x509.Certificate:
    """The certificate a new TLS handshake with the hub presents (verified when `context` is given)."""
    if context is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((HOST_IP, port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=name) as tls:
            der = tls.getpeercert(binary_form=True)
    return x509.load_der_x509_certificate(der)
