"""Item 8: the owner lists and revokes paired devices (API, CLI), at once on open sockets;
the pairing `device` is checked; unused tokens expire."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rules_helpers import demo_home_dir, demo_hub, run_cli  # noqa: F401 - fixtures
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from support import serving
from twinspace import access
from twinspace.config import Settings
from twinspace.errors import InvalidInput, Unauthorized
from twinspace.runtime import open_hub
from twinspace.server.app import create_app
from twinspace.store.sqlite import utcnow

HOME = "demo-loft"
PAIRED = f"/api/v1/homes/{HOME}/devices-paired"


def _paired(hub, person: str, name: str, device: str | None = None) -> str:  # noqa: ANN001
    code = access.create_pairing_code(hub.store, HOME, person)
    return access.redeem_pairing_code(hub.store, code.code, name, device).token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _closed_code(ws, within_s: float) -> int:  # noqa: ANN001 - a websockets connection
    deadline = time.monotonic() + within_s
    try:
        while time.monotonic() < deadline:
            ws.recv(timeout=max(0.01, deadline - time.monotonic()))
    except ConnectionClosed as e:
        return e.rcvd.code if e.rcvd else -1
    except TimeoutError:
        pass
    return 0


def test_the_owner_lists_and_revokes_and_the_socket_closes_at_once(demo_hub) -> None:
    owner = _paired(demo_hub, "alex", "Alex's Quest", "quest-alex")
    sam = _paired(demo_hub, "sam", "Sam's Quest", "quest-sam")
    with serving(create_app(demo_hub)) as url, TestClient(create_app(demo_hub)) as client:
        listed = client.get(PAIRED, headers=_bearer(owner)).json()
        assert [(d["label"], d["person"], d["device"]) for d in listed] == [
            ("Alex's Quest", "alex", "quest-alex"), ("Sam's Quest", "sam", "quest-sam")]
        assert all(d["expires_at"] for d in listed)
        members = client.get(PAIRED, headers=_bearer(sam))
        assert members.status_code == 403 and "owner" in members.json()["detail"]
        assert client.delete(f"{PAIRED}/{listed[0]['id']}", headers=_bearer(sam)).status_code == 403

        with connect(f"{url.replace('http', 'ws')}/api/v1/sync/{HOME}?token={sam}") as ws:
            ws.recv(timeout=5)  # the first sync step: connected
            started = time.monotonic()
            r = client.delete(f"{PAIRED}/{listed[1]['id']}", headers=_bearer(owner))
            assert r.status_code == 200 and r.json()["label"] == "Sam's Quest"
            assert _closed_code(ws, 2.0) == 4401
            assert time.monotonic() - started < 1.0  # at once, not at the next poll
        assert client.get(f"/api/v1/homes/{HOME}", headers=_bearer(sam)).status_code == 401
        assert [d["label"] for d in client.get(PAIRED, headers=_bearer(owner)).json()] == ["Alex's Quest"]
        missing = client.delete(f"{PAIRED}/{'0' * 12}", headers=_bearer(owner))
        assert missing.status_code == 404 and "Alex's Quest" in missing.json()["detail"]


def test_a_revocation_from_the_cli_closes_a_running_hubs_socket(tmp_path: Path, demo_home_dir: Path) -> None:
    data = tmp_path / "data"
    assert run_cli(data, "import", str(demo_home_dir)).exit_code == 0
    hub = open_hub(Settings(data))
    token = _paired(hub, "sam", "Sam's Quest")
    with serving(create_app(hub)) as url:
        with connect(f"{url.replace('http', 'ws')}/api/v1/sync/{HOME}?token={token}") as ws:
            ws.recv(timeout=5)
            listed = run_cli(data, "devices")
            assert listed.exit_code == 0 and "Sam's Quest\tsam (member)" in listed.output
            pairing_id = listed.output.split("\t")[0]
            r = run_cli(data, "revoke", pairing_id)
            assert r.exit_code == 0 and "Revoked Sam's Quest" in r.output
            assert _closed_code(ws, 3.0) == 4401  # the hub's watch polls the store every second
    assert run_cli(data, "revoke", pairing_id).exit_code == 1
    hub.services.close()
    hub.store.close()


def test_the_pairing_device_must_be_the_persons_own_and_short(demo_hub) -> None:
    code = access.create_pairing_code(demo_hub.store, HOME, "sam")
    with pytest.raises(InvalidInput, match="quest-alex is alex's device"):
        access.redeem_pairing_code(demo_hub.store, code.code, "Sam's Quest", "quest-alex")
    with pytest.raises(InvalidInput, match="no XR device 'toaster'"):
        access.redeem_pairing_code(demo_hub.store, code.code, "Sam's Quest", "toaster")
    with TestClient(create_app(demo_hub)) as client:
        r = client.post("/api/v1/pair", json={"code": code.code, "name": "x", "device": "d" * 10_000})
        assert r.status_code == 422 and len(r.content) < 1000  # refused, and not echoed back
        r = client.post("/api/v1/pair", json={"code": code.code, "name": "x", "device": "d" * 100_000})
        assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    # The code was not used up by the refusals.
    assert access.redeem_pairing_code(demo_hub.store, code.code, "Sam's Quest", "quest-sam").caller.device == "quest-sam"


def test_unused_tokens_expire(demo_hub, monkeypatch) -> None:
    token = _paired(demo_hub, "sam", "Sam's old phone")
    assert access.authenticate(demo_hub.store, token, now=utcnow() + timedelta(days=89)).person == "sam"
    later = utcnow() + timedelta(days=89 + 91)  # the use at day 89 counted; 91 idle days after it do not
    with pytest.raises(Unauthorized, match="expired after 90 days unused"):
        access.authenticate(demo_hub.store, token, now=later)
    monkeypatch.setenv("TWINSPACE_TOKEN_IDLE_DAYS", "0")
    assert access.authenticate(demo_hub.store, token, now=later).person == "sam"
