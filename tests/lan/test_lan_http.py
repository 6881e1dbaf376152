"""LAN mode on a shared network, over real sockets: the redirect port serves no API, HTTPS
answers with HSTS, `Host` and `Origin` are checked (WebSockets too), every route still
needs a token, another home's token is refused, and only the owner makes pairing links."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx
import pytest
import websockets
from lan_helpers import HOME, HOST_IP, HUB_NAME, LanHub

from twinspace import access


@pytest.fixture(scope="module")
def https(lan_hub: LanHub, trusting: ssl.SSLContext) -> httpx.Client:
    with httpx.Client(base_url=lan_hub.https_ip_url, verify=trusting, timeout=20) as client:
        yield client


def _token(lan_hub: LanHub, home: str = HOME, person: str = "alex", role: str = "owner") -> str:
    return access.issue_token(lan_hub.hub.store, home, person, "lan test", role=role).token


def test_redirect_port_serves_only_setup_and_redirects(lan_hub: LanHub) -> None:
    with httpx.Client(base_url=lan_hub.http_url, timeout=10, follow_redirects=False) as plain:
        token = _token(lan_hub)
        for path in ("/", "/api/v1/health", "/api/v1/me", f"/api/v1/homes/{HOME}", "/openapi.json", "/docs",
                     "/assets/index.js", "/demo/live/news/index.m3u8?x=1"):
            r = plain.get(path, headers={"Host": f"{HUB_NAME}:{lan_hub.http_port}",
                                         "Authorization": f"Bearer {token}"})
            assert r.status_code == 308, (path, r.status_code, r.text[:200])
            assert r.headers["location"] == f"https://{HUB_NAME}:{lan_hub.https_port}{path}"
            assert r.content == b""  # nothing of the hub in the clear
        # Bodies are never replayed to HTTPS: a code sent in the clear is refused, not forwarded.
        r = plain.post("/api/v1/pair", json={"code": "ABCD-EFGH", "name": "x"}, headers={"Host": HUB_NAME})
        assert r.status_code == 403 and "only redirects" in r.json()["detail"]
        # A name the hub does not have is not redirected anywhere (no open redirect).
        r = plain.get("/", headers={"Host": "evil.example"})
        assert r.status_code == 421 and "location" not in r.headers
        setup = plain.get("/setup", headers={"Host": HUB_NAME})
        assert setup.status_code == 200 and "twinspace-ca.crt" in setup.text
    # and no WebSocket: the sync socket does not open on the plain port
    with pytest.raises(websockets.exceptions.InvalidStatus):
        asyncio.run(_ws_open(f"ws://{HOST_IP}:{lan_hub.http_port}/api/v1/sync/{HOME}?token={token}"))


async def _ws_open(url: str, **kwargs: Any) -> None:
    async with websockets.connect(url, open_timeout=10, **kwargs) as ws:
        await ws.close()


def test_https_has_hsts_and_needs_tokens(lan_hub: LanHub, https: httpx.Client) -> None:
    r = https.get("/api/v1/health")
    assert r.status_code == 200 and r.headers["strict-transport-security"].startswith("max-age=")
    for path in ("/api/v1/me", f"/api/v1/homes/{HOME}", f"/api/v1/homes/{HOME}/panels", "/api/v1/actions"):
        assert https.get(path).status_code == 401, path
    assert https.post(f"/api/v1/homes/{HOME}/pairing-codes", json={}).status_code == 401
    assert https.get("/").status_code == 200  # the client itself is public; its data is not


def test_another_homes_token_is_refused_over_https(lan_hub: LanHub, https: httpx.Client,
                                                   trusting: ssl.SSLContext) -> None:
    hub = lan_hub.hub
    if "other-home" not in hub.home_ids():
        from twinspace.home.homefile import HomeBundle

        home = hub.home(HOME).model_copy(update={"id": "other-home", "name": "Another home"})
        hub.import_bundle(HomeBundle(home, hub.store.files(HOME)))
    theirs = _token(lan_hub, home="other-home")
    ours = {"Authorization": f"Bearer {_token(lan_hub)}"}
    assert https.get(f"/api/v1/homes/{HOME}", headers=ours).status_code == 200
    r = https.get(f"/api/v1/homes/{HOME}", headers={"Authorization": f"Bearer {theirs}"})
    assert r.status_code == 403, r.text
    r = https.post(f"/api/v1/homes/{HOME}/actions/device.power", headers={"Authorization": f"Bearer {theirs}"},
                   json={"args": {"device": "lamp-floor", "on": False}})
    assert r.status_code == 403
    url = f"wss://{HOST_IP}:{lan_hub.https_port}/api/v1/sync/{HOME}"
    assert asyncio.run(_ws_close_code(f"{url}?token={theirs}", ssl=trusting)) == 4403  # the sync socket's "forbidden"


async def _ws_close_code(url: str, **kwargs: Any) -> int:
    async with websockets.connect(url, open_timeout=10, **kwargs) as ws:
        try:
            await asyncio.wait_for(ws.recv(), 10)
            await asyncio.wait_for(ws.recv(), 10)
        except websockets.exceptions.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else -1
    return 0


def test_host_header_must_be_the_hubs(https: httpx.Client, lan_hub: LanHub) -> None:
    for host in (HUB_NAME, f"{HUB_NAME}:{lan_hub.https_port}", "hubbox.local", f"{HOST_IP}:{lan_hub.https_port}",
                 "[::1]:8443"):
        assert https.get("/api/v1/health", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "hub.twinspace.test.evil.example", "192.168.77.11", ""):
        r = https.get("/api/v1/health", headers={"Host": host})
        assert r.status_code == 421, (host, r.status_code)
        assert r.headers["content-type"] == "application/problem+json"


def test_origin_and_cors_limited_to_the_hubs_own(https: httpx.Client, lan_hub: LanHub,
                                                  trusting: ssl.SSLContext) -> None:
    own = f"https://{HUB_NAME}:{lan_hub.https_port}"
    sibling = f"https://hubbox.local:{lan_hub.https_port}"  # the same hub by another of its names
    token = _token(lan_hub)
    auth = {"Authorization": f"Bearer {token}"}
    assert https.get("/api/v1/me", headers={**auth, "Origin": own}).status_code == 200
    r = https.get("/api/v1/me", headers={**auth, "Origin": sibling})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == sibling
    pre = https.options("/api/v1/me", headers={"Origin": sibling, "Access-Control-Request-Method": "GET",
                                                 "Access-Control-Request-Headers": "authorization"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == sibling
    for bad in ("https://evil.example", f"http://{HUB_NAME}:{lan_hub.http_port}", "null",
                f"https://{HUB_NAME}:1"):
        r = https.get("/api/v1/me", headers={**auth, "Origin": bad})
        assert r.status_code == 403, bad
        assert "access-control-allow-origin" not in r.headers
        pre = https.options("/api/v1/me", headers={"Origin": bad, "Access-Control-Request-Method": "GET"})
        assert "access-control-allow-origin" not in pre.headers
    url = f"wss://{HOST_IP}:{lan_hub.https_port}/api/v1/sync/{HOME}?token={token}"
    asyncio.run(_ws_open(url, ssl=trusting, origin=own))  # the hub's own page: opens
    with pytest.raises(websockets.exceptions.InvalidStatus):
        asyncio.run(_ws_open(url, ssl=trusting, origin="https://evil.example"))


def test_only_the_owner_makes_pairing_links(https: httpx.Client, lan_hub: LanHub) -> None:
    member = {"Authorization": f"Bearer {_token(lan_hub, person='sam', role='member')}"}
    assert https.post(f"/api/v1/homes/{HOME}/pairing-codes", json={}, headers=member).status_code == 403
    owner = {"Authorization": f"Bearer {_token(lan_hub)}", "Host": f"{HUB_NAME}:{lan_hub.https_port}"}
    r = https.post(f"/api/v1/homes/{HOME}/pairing-codes", json={}, headers=owner)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["url"] == f"https://{HUB_NAME}:{lan_hub.https_port}/#pair={out['code']}" and out["lan"] is True
    assert out["qr_svg"].startswith("<svg") and r.headers["cache-control"] == "no-store"
    # Opened from the hub's own machine (localhost), the link names the hub as the LAN sees it.
    local = https.post(f"/api/v1/homes/{HOME}/pairing-codes", json={},
                       headers={**owner, "Host": f"localhost:{lan_hub.https_port}"}).json()
    assert local["url"].startswith(f"https://{HUB_NAME}:{lan_hub.https_port}/#pair=")
    # one-time: the code pairs once
    pair = {"code": out["code"], "name": "Phone"}
    assert https.post("/api/v1/pair", json=pair).status_code == 200
    assert https.post("/api/v1/pair", json=pair).status_code == 401


def test_loopback_mode_is_unchanged_but_can_make_links(hub) -> None:  # noqa: ANN001 - conftest's demo hub
    """Without --lan: no /setup, no HSTS; the owner's link names the loopback hub and says it is not on the LAN."""
    from fastapi.testclient import TestClient

    from twinspace.server.app import create_app

    token = access.issue_token(hub.store, HOME, "alex", "loopback", role="owner").token
    with TestClient(create_app(hub), base_url="http://127.0.0.1:8080") as client:
        assert client.get("/setup").status_code == 404
        r = client.get("/api/v1/health")
        assert r.status_code == 200 and "strict-transport-security" not in r.headers
        out = client.post(f"/api/v1/homes/{HOME}/pairing-codes", headers={"Authorization": f"Bearer {token}"}).json()
        assert out["url"].startswith("http://127.0.0.1:8080/#pair=") and out["lan"] is False
