"""The hub's own certificate authority and the server certificate it issues (no cloud involved).

The CA is made once, in `<data>/tls/`: its key (mode 0600) never leaves that folder: it is
not served, not logged, not advertised. Devices trust the CA's certificate once (the setup
page); the server certificate is then re-issued by the hub whenever its names or addresses
change or its expiry nears, and devices keep trusting it.

The CA is name-constrained to home-network names (`.local`, `.lan`, `.home.arpa`,
`.internal`, `.test`, the host name, `localhost`) and private addresses, so a device that
trusts it does not trust it for anyone's bank, even if the hub's key were stolen. The
constraint is not marked critical: a verifier that does not know it still accepts the CA.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from twinspace.errors import InvalidInput
from twinspace.lan.names import HubNames

log = logging.getLogger("twinspace.lan")

CA_VALIDITY = timedelta(days=3650)
# Apple platforms refuse server certificates valid for more than 825 days; stay well inside.
SERVER_VALIDITY = timedelta(days=397)
RENEW_BEFORE = timedelta(days=30)
HOME_SUFFIXES = ("local", "lan", "home.arpa", "internal", "test", "localhost")
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8", "100.64.0.0/10",
    "fc00::/7", "fe80::/10", "::1/128"))


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, as browsers and `openssl x509 -fingerprint -sha256` show it."""
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _write_private(path: Path, data: bytes) -> None:
    """Write a key atomically, readable by this user only from the first byte on."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _permitted(name: str, label: str) -> bool:
    return any(name == s or name.endswith("." + s) for s in (*HOME_SUFFIXES, label))


def certificate_names(cert: x509.Certificate) -> tuple[list[str], list[ipaddress._BaseAddress]]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    return san.get_values_for_type(x509.DNSName), san.get_values_for_type(x509.IPAddress)


@dataclass(frozen=True)
class Issued:
    cert_path: Path
    key_path: Path
    cert: x509.Certificate


class LocalCA:
    """The CA in `directory` (created on first use) and the server certificate beside it."""

    def __init__(self, directory: Path, label: str) -> None:
        self.directory = directory
        self.label = label
        self.ca_key_path = directory / "ca.key"
        self.ca_cert_path = directory / "ca.crt"
        self.cert_path = directory / "server.crt"
        self.key_path = directory / "server.key"
        self._key: Optional[ec.EllipticCurvePrivateKey] = None
        self.cert: x509.Certificate = self._load_or_create()

    # --- the CA ---------------------------------------------------------------------------

    def _load_or_create(self) -> x509.Certificate:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        if self.ca_key_path.exists() and self.ca_cert_path.exists():
            mode = self.ca_key_path.stat().st_mode & 0o777
            if mode & 0o077:
                raise InvalidInput(f"{self.ca_key_path} is readable by other users (mode {mode:o}); "
                                   f"run `chmod 600 {self.ca_key_path}`")
            try:
                self._key = serialization.load_pem_private_key(self.ca_key_path.read_bytes(), None)  # type: ignore[assignment]
                cert = x509.load_pem_x509_certificate(self.ca_cert_path.read_bytes())
            except ValueError as e:
                raise InvalidInput(f"the hub's CA in {self.directory} cannot be read ({e}); move the folder away "
                                   f"to make a new CA (every device must then trust the new one)") from None
            if cert.public_key() != self._key.public_key():  # type: ignore[union-attr]
                raise InvalidInput(f"{self.ca_cert_path} does not belong to {self.ca_key_path}")
            return cert
        return self._create()

    def _create(self) -> x509.Certificate:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(timezone.utc)
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "twinspace"),
                          x509.NameAttribute(NameOID.COMMON_NAME, f"twinspace local CA ({self.label})")])
        constraints = x509.NameConstraints(
            permitted_subtrees=[*(x509.DNSName(s) for s in (*HOME_SUFFIXES, self.label)),
                                *(x509.IPAddress(n) for n in PRIVATE_NETWORKS)],
            excluded_subtrees=None)
        cert = (x509.CertificateBuilder()
                .subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + CA_VALIDITY)
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(constraints, critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        _write_private(self.ca_key_path, _key_pem(key))
        _write_public(self.ca_cert_path, cert.public_bytes(serialization.Encoding.PEM))
        self._key = key
        log.info("created the hub's local CA in %s (fingerprint %s)", self.directory, fingerprint(cert))
        return cert

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.cert)

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    # --- the server certificate -----------------------------------------------------------

    def current(self) -> Optional[x509.Certificate]:
        if not (self.cert_path.exists() and self.key_path.exists()):
            return None
        try:
            return x509.load_pem_x509_certificate(self.cert_path.read_bytes())
        except ValueError:
            return None

    def wanted(self, names: HubNames) -> tuple[list[str], list]:
        """The names a new server certificate gets: those the CA may vouch for."""
        dns = [n for n in names.dns if _permitted(n, self.label)]
        ips = [ip for ip in names.ips if any(ip in net for net in PRIVATE_NETWORKS if net.version == ip.version)]
        for left_out in [*(n for n in names.dns if n not in dns), *(ip for ip in names.ips if ip not in ips)]:
            log.warning("the server certificate leaves out %s: the hub's CA vouches only for home-network names "
                        "and private addresses", left_out)
        return dns, ips

    def needs_issue(self, names: HubNames, now: Optional[datetime] = None) -> Optional[str]:
        """Why the server certificate must be (re-)issued, or None while it is still right."""
        now = now or datetime.now(timezone.utc)
        cert = self.current()
        if cert is None:
            return "there is no server certificate yet"
        if cert.issuer != self.cert.subject:
            return "the server certificate is not from this CA"
        if cert.not_valid_after_utc - now < RENEW_BEFORE:
            return f"the server certificate expires on {cert.not_valid_after_utc:%Y-%m-%d}"
        have_dns, have_ips = certificate_names(cert)
        dns, ips = self.wanted(names)
        if set(have_dns) != set(dns) or set(map(str, have_ips)) != set(map(str, ips)):
            return "the hub's names or addresses changed"
        return None

    def issue(self, names: HubNames, now: Optional[datetime] = None) -> Issued:
        """A new server key and certificate for `names`, written atomically (key first, mode 0600)."""
        now = now or datetime.now(timezone.utc)
        dns, ips = self.wanted(names)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns[0] if dns else self.label)])
        cert = (x509.CertificateBuilder()
                .subject_name(subject).issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + SERVER_VALIDITY)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.SubjectAlternativeName([*(x509.DNSName(n) for n in dns),
                                                            *(x509.IPAddress(ip) for ip in ips)]), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.cert.public_key()),
                               critical=False)
                .sign(self._key, hashes.SHA256()))  # type: ignore[arg-type]
        _write_private(self.key_path, _key_pem(key))
        _write_public(self.cert_path, cert.public_bytes(serialization.Encoding.PEM))
        log.info("issued the server certificate for %s (valid until %s)",
                 ", ".join([*dns, *map(str, ips)]), cert.not_valid_after_utc.date())
        return Issued(self.cert_path, self.key_path, cert)
