"""Fixtures for LAN mode: the real hub (both servers, real TLS) on 127.0.0.2, answering to the
name `hub.twinspace.test`, with addresses the test controls; a second home's hub for tokens."""

from __future__ import annotations

import ipaddress
import shutil
import ssl
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
from lan_helpers import HOME, HOST_IP, HUB_NAME, LanHub

from twinspace.demo import write_demo_home
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.lan.config import LanConfig
from twinspace.lan.server import LanServer, bind
from twinspace.server.app import create_app
from twinspace.store.sqlite import Store


@pytest.fixture(scope="module")
def lan_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LanHub]:
    root = tmp_path_factory.mktemp("lan-hub")
    data = root / "data"
    store = Store(data / "twinspace.db")
    services = None
    try:
        from twinspace.content.services import ContentServices

        services = ContentServices(store)
    except ImportError:
        pass
    hub = Hub(store, services=services)
    hub.import_bundle(read_home_dir(write_demo_home(root / "demo-home", datetime.now(timezone.utc))))
    addresses = [ipaddress.ip_address("192.168.77.10")]  # what ifaddr would report; the test changes it
    sockets = (bind(HOST_IP, 0), bind(HOST_IP, 0))  # free ports: the real ones are fixed (8443, 8080)
    server = LanServer(create_app(hub), LanConfig(enabled=True, names=(HUB_NAME,), advertise=False), data,
                       HOST_IP, 0, home_name=hub.home(HOME).name, label="hubbox",
                       addresses=lambda: list(addresses), check_interval=0.2, log_level="warning",
                       sockets=sockets).start_in_thread()
    yield LanHub(hub, server, data, addresses)
    server.stop_thread()
    if services is not None and hasattr(services, "close"):
        services.close()
    store.close()


@pytest.fixture(scope="module")
def ca_file(lan_hub: LanHub, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CA certificate as a device downloads it from the setup page (not read from the data dir)."""
    import httpx

    r = httpx.get(f"{lan_hub.http_url}/setup/twinspace-ca.crt", headers={"Host": HUB_NAME}, timeout=10)
    assert r.status_code == 200, r.text
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    path.write_bytes(r.content)
    return path


@pytest.fixture(scope="module")
def trusting(ca_file: Path) -> ssl.SSLContext:
    """A TLS client that trusts only the hub's CA (as a device does after the setup page)."""
    return ssl.create_default_context(cafile=str(ca_file))


@pytest.fixture(scope="session")
def certutil() -> str:
    found = shutil.which("certutil")
    if found is None:
        pytest.fail("certutil is missing: scripts/system-deps installs Debian's libnss3-tools")
    return found
