"""The HTTPS server's live TLS context, kept right while the hub runs.

`ssl.SSLContext.load_cert_chain` on the context the server already listens with takes effect
for every new handshake, so a re-issued certificate needs no restart and drops no connection.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from cryptography import x509

from twinspace.errors import InvalidInput
from twinspace.lan.ca import LocalCA, certificate_names, fingerprint
from twinspace.lan.names import HubNames

log = logging.getLogger("twinspace.lan")


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """TLS 1.2 and 1.3 only, Python's default (forward-secret, AEAD) cipher choice."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.options |= ssl.OP_NO_COMPRESSION
    _load(ctx, cert, key)
    return ctx


def _load(ctx: ssl.SSLContext, cert: Path, key: Path) -> None:
    try:
        ctx.load_cert_chain(str(cert), str(key))
    except (ssl.SSLError, OSError) as e:
        raise InvalidInput(f"cannot use the TLS certificate {cert} with the key {key}: {e}") from None


class CertificateKeeper:
    """Owns the server certificate: issues it from the local CA (or loads a household's own),
    and re-checks it every `interval` seconds: new addresses or a near expiry re-issue it."""

    def __init__(self, names: Callable[[], HubNames], ca: Optional[LocalCA] = None,
                 own: Optional[tuple[Path, Path]] = None, interval: float = 60.0) -> None:
        if (ca is None) == (own is None):
            raise ValueError("give either a local CA or a household's own certificate")
        self._names = names
        self.ca = ca
        self.own = own
        self.interval = interval
        self.reissued = 0
        self._own_mtime = 0.0
        self.names = names()
        if ca is not None:
            if ca.needs_issue(self.names):
                ca.issue(self.names)
            self.cert_path, self.key_path = ca.cert_path, ca.key_path
        else:
            self.cert_path, self.key_path = own  # type: ignore[misc]
            self._own_mtime = self._mtime()
            self.names = self._own_names()
        self.context = server_context(self.cert_path, self.key_path)

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_path.read_bytes())

    @property
    def ca_fingerprint(self) -> Optional[str]:
        return self.ca.fingerprint if self.ca else None

    def _mtime(self) -> float:
        return max(self.cert_path.stat().st_mtime, self.key_path.stat().st_mtime)

    def _own_names(self) -> HubNames:
        """A household's certificate: the hub answers to exactly the names it covers."""
        dns, ips = certificate_names(self.certificate)
        return HubNames(tuple(n.lower() for n in dns) + ("localhost",), tuple(ips))

    def check(self, now: Optional[datetime] = None) -> bool:
        """Re-issue (or reload a household's renewed files) when needed; True when it did."""
        if self.own is not None:
            if self._mtime() == self._own_mtime:
                return False
            _load(self.context, self.cert_path, self.key_path)
            self._own_mtime = self._mtime()
            self.names = self._own_names()
            log.info("reloaded the household's TLS certificate %s", self.cert_path)
            self.reissued += 1
            return True
        assert self.ca is not None
        names = self._names()
        reason = self.ca.needs_issue(names, now or datetime.now(timezone.utc))
        if reason is None:
            self.names = names
            return False
        log.info("re-issuing the server certificate: %s", reason)
        self.ca.issue(names, now)
        _load(self.context, self.cert_path, self.key_path)
        self.names = names
        self.reissued += 1
        return True

    async def run(self, on_change: Callable[[HubNames], object] = lambda _: None) -> None:
        """Check forever (cancel to stop); `on_change` hears the new names after a re-issue."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                # On the loop's thread: the context is not swapped under a handshake in progress
                # (an EC key and a signature take about a millisecond).
                if self.check():
                    result = on_change(self.names)
                    if asyncio.iscoroutine(result):
                        await result
            except Exception as e:  # noqa: BLE001 - the old certificate keeps serving; say why and retry
                log.warning("could not renew the server certificate (the current one stays in use): %s", e)

    def summary(self) -> str:
        cert = self.certificate
        who = "the hub's local CA" if self.ca else f"the household's certificate {self.cert_path}"
        return (f"TLS certificate from {who}, valid until {cert.not_valid_after_utc:%Y-%m-%d}, "
                f"fingerprint {fingerprint(cert)}")
