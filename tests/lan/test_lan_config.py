"""LAN settings: defaults that keep loopback mode, and clear errors for half-given certificates."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinspace.errors import InvalidInput
from twinspace.lan.config import LanConfig


def test_defaults_and_settings(tmp_path: Path) -> None:
    assert LanConfig.from_env({}) == LanConfig()  # off, 8443, no names, the local CA, mDNS on
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("y")
    cfg = LanConfig.from_env({"TWINSPACE_LAN": "1", "TWINSPACE_HTTPS_PORT": "9443", "TWINSPACE_MDNS": "0",
                              "TWINSPACE_LAN_NAMES": "Hub.Home.Arpa., tv.lan", "TWINSPACE_TLS_CERT": str(cert),
                              "TWINSPACE_TLS_KEY": str(key)})
    assert cfg.enabled and cfg.https_port == 9443 and not cfg.advertise and cfg.own_certificate
    assert cfg.names == ("hub.home.arpa", "tv.lan")


@pytest.mark.parametrize("env, message", [
    ({"TWINSPACE_HTTPS_PORT": "https"}, "port number"),
    ({"TWINSPACE_TLS_CERT": "/nowhere/cert.pem"}, "set both"),
    ({"TWINSPACE_TLS_CERT": "/nowhere/cert.pem", "TWINSPACE_TLS_KEY": "/nowhere/key.pem"}, "no file"),
])
def test_bad_settings_say_what_to_fix(env: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        LanConfig.from_env(env)
