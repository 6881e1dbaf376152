"""The hub's certificates over real TLS: names, key usage, validity, TLS versions, the CA key's
safety, re-issue on an address change without a restart, and a household's own certificate."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from lan_helpers import HOST_IP, HUB_NAME, LanHub, served_certificate

from twinspace.errors import InvalidInput
from twinspace.lan.ca import RENEW_BEFORE, LocalCA, fingerprint
from twinspace.lan.names import HubNames
from twinspace.lan.tls import CertificateKeeper


def test_server_certificate_names_usage_and_validity(lan_hub: LanHub, trusting: ssl.SSLContext) -> None:
    cert = served_certificate(lan_hub.https_port, trusting)  # verified against the CA, by name
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = san.get_values_for_type(x509.DNSName)
    ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    assert {HUB_NAME, "hubbox.local", "hubbox", "localhost"} <= set(dns), dns
    assert {"127.0.0.2", "192.168.77.10", "127.0.0.1"} <= set(ips), ips

    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.SERVER_AUTH])
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=300) < lifetime <= timedelta(days=398)  # Apple refuses more than 825 days
    assert cert.not_valid_before_utc <= datetime.now(timezone.utc) < cert.not_valid_after_utc

    for name in (HUB_NAME, "hubbox.local", HOST_IP):  # every name verifies, by a real client
        served_certificate(lan_hub.https_port, trusting, name=name)
    with pytest.raises(ssl.SSLCertVerificationError):
        served_certificate(lan_hub.https_port, trusting, name="bank.example")


def test_ca_certificate_and_its_key(lan_hub: LanHub, ca_file: Path) -> None:
    ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    basic = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca and basic.value.path_length == 0
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    permitted = {g.value for g in constraints.permitted_subtrees if isinstance(g, x509.DNSName)}
    assert {"local", "test", "home.arpa"} <= permitted and "com" not in permitted
    assert ca.not_valid_after_utc - datetime.now(timezone.utc) > timedelta(days=3000)

    key = lan_hub.data / "tls" / "ca.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (lan_hub.data / "tls").stat().st_mode & 0o777 == 0o700
    secret = key.read_bytes()
    assert b"PRIVATE KEY" in secret
    # The setup port and the HTTPS port serve the certificate, never the key.
    for path in ("/setup/twinspace-ca.crt", "/setup/twinspace-ca.cer", "/setup/ca.key", "/setup/../tls/ca.key"):
        r = httpx.get(lan_hub.http_url + path, headers={"Host": HUB_NAME}, timeout=10)
        assert b"PRIVATE KEY" not in r.content
    der = httpx.get(lan_hub.http_url + "/setup/twinspace-ca.cer", headers={"Host": HUB_NAME}, timeout=10)
    assert x509.load_der_x509_certificate(der.content) == ca
    assert der.headers["content-type"] == "application/pkix-cert"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")
def test_only_tls_1_2_and_newer(lan_hub: LanHub, trusting: ssl.SSLContext) -> None:
    assert lan_hub.server.keeper.context.minimum_version == ssl.TLSVersion.TLSv1_2
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    try:
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pytest.skip("this OpenSSL cannot even offer TLS 1.1")
    with socket.create_connection((HOST_IP, lan_hub.https_port), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            old.wrap_socket(raw, server_hostname=HUB_NAME)
    with socket.create_connection((HOST_IP, lan_hub.https_port), timeout=10) as raw:
        with trusting.wrap_socket(raw, server_hostname=HUB_NAME) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_new_address_reissues_without_a_restart(lan_hub: LanHub, trusting: ssl.SSLContext) -> None:
    before = served_certificate(lan_hub.https_port, trusting)
    lan_hub.addresses.append(ipaddress.ip_address("10.20.30.40"))  # the hub joined another network
    try:
        deadline = time.monotonic() + 10
        while not _covers(lan_hub, "10.20.30.40"):
            assert time.monotonic() < deadline, "the certificate was not re-issued for the new address"
            time.sleep(0.1)
        cert = served_certificate(lan_hub.https_port, trusting, name="10.20.30.40")  # verifies for the address
        assert cert.serial_number != before.serial_number
        assert lan_hub.server.state.names().allows_host("10.20.30.40:8443")  # the Host allow-list follows
    finally:
        lan_hub.addresses.pop()


def _covers(lan_hub: LanHub, ip: str) -> bool:
    cert = served_certificate(lan_hub.https_port)
    ips = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.IPAddress)
    return ipaddress.ip_address(ip) in ips


def test_expiry_near_reissues(tmp_path: Path) -> None:
    names = HubNames.gather("hubbox", (), [ipaddress.ip_address("192.168.1.5")])
    ca = LocalCA(tmp_path / "tls", "hubbox")
    keeper = CertificateKeeper(lambda: names, ca=ca, interval=1)
    first = keeper.certificate
    assert keeper.check() is False  # nothing changed
    later = first.not_valid_after_utc - RENEW_BEFORE + timedelta(hours=1)
    assert ca.needs_issue(names, later) is not None and "expires" in ca.needs_issue(names, later)
    assert keeper.check(now=later) is True
    assert keeper.certificate.serial_number != first.serial_number
    # The same CA after a restart: devices keep trusting it.
    assert LocalCA(tmp_path / "tls", "hubbox").fingerprint == ca.fingerprint == fingerprint(ca.cert)


def test_ca_refuses_public_names_and_a_readable_key(tmp_path: Path) -> None:
    ca = LocalCA(tmp_path / "tls", "hubbox")
    dns, ips = ca.wanted(HubNames.gather("hubbox", ("bank.example.com",), [ipaddress.ip_address("8.8.8.8")]))
    assert "bank.example.com" not in dns and ipaddress.ip_address("8.8.8.8") not in ips
    (tmp_path / "tls" / "ca.key").chmod(0o644)
    with pytest.raises(InvalidInput, match="chmod 600"):
        LocalCA(tmp_path / "tls", "hubbox")


def test_household_certificate_is_used_and_reloaded(tmp_path: Path) -> None:
    """TWINSPACE_TLS_CERT/KEY: the hub uses them as they are, answers to their names, and picks up a renewal."""
    other = LocalCA(tmp_path / "their-ca", "elsewhere")  # stands for a public CA
    issued = other.issue(HubNames(("hub.example.lan",), ()))
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    cert.write_bytes(issued.cert_path.read_bytes())
    key.write_bytes(issued.key_path.read_bytes())
    keeper = CertificateKeeper(lambda: HubNames((), ()), own=(cert, key), interval=1)
    assert keeper.ca is None and keeper.names.allows_host("hub.example.lan:8443")
    assert not keeper.names.allows_host("hubbox.local")
    renewed = other.issue(HubNames(("hub.example.lan", "tv.example.lan"), ()))
    time.sleep(0.01)
    cert.write_bytes(renewed.cert_path.read_bytes())
    key.write_bytes(renewed.key_path.read_bytes())
    assert keeper.check() is True and keeper.names.allows_host("tv.example.lan")
    key.write_bytes(b"not a key")
    with pytest.raises(InvalidInput, match="cannot use the TLS certificate"):
        CertificateKeeper(lambda: HubNames((), ()), own=(cert, key))
