"""The content routes: token required, answers filtered by the caller's rating limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playback_helpers import MINJI, PARK, act

from twinspace import access
from twinspace.server.app import create_app

BASE = f"/api/v1/homes/{PARK}"
ROUTES = ["guide/now", "search?q=football", "channels", "vod", "continue-watching"]


def _auth(hub, person) -> dict[str, str]:
    code = access.create_pairing_code(hub.store, PARK, person)
    return {"Authorization": f"Bearer {access.redeem_pairing_code(hub.store, code.code, f'{person} test').token}"}


@pytest.fixture
def client(park) -> TestClient:
    return TestClient(create_app(park))


@pytest.mark.parametrize("route", ROUTES)
def test_a_token_is_required(client, park, route) -> None:
    r = client.get(f"{BASE}/{route}")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    r = client.get(f"/api/v1/homes/another-home/{route}", headers=_auth(park, "minji"))
    assert r.status_code == 403


def test_guide_now_over_http(client, park) -> None:
    r = client.get(f"{BASE}/guide/now", params={"channel": "Sports One", "at": "2026-11-28T20:05:00+09:00"},
                   headers=_auth(park, "minji"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["message"] == "Sports One: Premier League Highlights (19:30–20:30)"
    assert body["listings"][0]["programme"]["title"] == "Premier League Highlights"
    r = client.get(f"{BASE}/guide/now", params={"at": "20:05"}, headers=_auth(park, "minji"))
    assert r.status_code == 422 and "at" in r.json()["detail"]


def test_everything_is_filtered_for_the_caller(client, park) -> None:
    minji, joon = _auth(park, "minji"), _auth(park, "joon")
    vod = {t["id"] for t in client.get(f"{BASE}/vod", headers=minji).json()}
    assert {"starfall", "harbor-lights"} <= vod and "midnight-case" not in vod  # 19 > 18
    vod = {t["id"] for t in client.get(f"{BASE}/vod", headers=joon).json()}
    assert vod == {"tiny-chef", "deep-blue", "yoga-morning", "alps-360", "robot-town-movie"}

    rows = {row["channel"]["id"]: row for row in client.get(f"{BASE}/channels", headers=joon).json()}
    assert len(rows) == 10 and rows["kdrama.kr"]["now"] is None  # Hospital Nights is rated 15
    assert rows["sportsone.kr"]["now"]["title"] == "Premier League Highlights"
    minji_rows = {row["channel"]["id"]: row for row in client.get(f"{BASE}/channels", headers=minji).json()}
    assert minji_rows["kdrama.kr"]["now"]["title"] == "Hospital Nights"

    hits = client.get(f"{BASE}/search", params={"q": "harbor"}, headers=minji).json()["hits"]
    assert "vod:harbor-lights" in [h["ref"] for h in hits]
    hits = client.get(f"{BASE}/search", params={"q": "harbor"}, headers=joon).json()["hits"]
    assert "vod:harbor-lights" not in [h["ref"] for h in hits]
    assert client.get(f"{BASE}/search", params={"q": "x", "kind": "podcast"}, headers=joon).status_code == 422


def test_continue_watching_is_the_callers(client, park, clock) -> None:
    act(park, "playback.play", {"content": "vod:starfall", "target": "tv-living"}, MINJI)
    act(park, "playback.seek", {"target": "tv-living", "position_s": 1800}, MINJI)
    clock.advance(60)
    items = client.get(f"{BASE}/continue-watching", headers=_auth(park, "minji")).json()
    assert [(i["content"], i["title"], i["position_s"]) for i in items] == [("vod:starfall", "Starfall", 1860)]
    assert items[0]["progress"] == pytest.approx(1860 / 7800)
    assert client.get(f"{BASE}/continue-watching", headers=_auth(park, "joon")).json() == []
    nobody = access.issue_token(park.store, PARK, None, "hall panel", "member").token  # a device for no one
    assert client.get(f"{BASE}/continue-watching", headers={"Authorization": f"Bearer {nobody}"}).json() == []


def test_the_routes_are_documented(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for route in ("guide/now", "search", "channels", "vod", "continue-watching"):
        assert f"/api/v1/homes/{{home_id}}/{route}" in paths
