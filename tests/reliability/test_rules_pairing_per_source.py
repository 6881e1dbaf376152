"""Item 7: wrong pairing codes lock out their source only, and codes are stored under the hub's key."""

from __future__ import annotations

import hashlib
import stat

from fastapi.testclient import TestClient

from rules_helpers import demo_home_dir, demo_hub  # noqa: F401 - fixtures

from twinspace import access
from twinspace.hub_key import KEY_FILE, hub_key, keyed_hash
from twinspace.server.app import create_app


def _pair(app, source: str, code: str):  # noqa: ANN001, ANN202 - the app, httpx's response
    with TestClient(app, client=(source, 40000)) as client:
        return client.post("/api/v1/pair", json={"code": code, "name": "Some Quest"})


def test_a_guesser_is_locked_out_and_nobody_else(demo_hub) -> None:
    app = create_app(demo_hub)
    code = access.create_pairing_code(demo_hub.store, "demo-loft")
    for _ in range(access.MAX_FAILURES_PER_MINUTE):
        assert _pair(app, "192.168.1.66", "ZZZZ-ZZZZ").status_code == 401
    locked = _pair(app, "192.168.1.66", code.code)
    assert locked.status_code == 429
    assert locked.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    assert "from this device" in locked.json()["detail"]
    ok = _pair(app, "192.168.1.20", code.code)  # the real owner, on another address
    assert ok.status_code == 200 and ok.json()["role"] == "owner"


def test_codes_are_stored_as_hmacs_under_a_private_key(demo_hub) -> None:
    code = access.create_pairing_code(demo_hub.store, "demo-loft")
    raw = access.normalize_code(code.code)
    data_dir = demo_hub.store.path.parent
    stored = [h for (h,) in demo_hub.store.conn.execute("SELECT hash FROM pair_codes")]
    assert stored == [keyed_hash(hub_key(data_dir), "pairing-code", raw)]
    assert hashlib.sha256(raw.encode()).hexdigest() not in stored  # no unsalted hash to reverse offline
    assert stat.S_IMODE((data_dir / KEY_FILE).stat().st_mode) == 0o600
