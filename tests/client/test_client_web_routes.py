"""The hub serves the built client at / (assets cached for good) and says how to build it when it is not."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from twinspace.hub import Hub
from twinspace.server.app import create_app
from twinspace.web.routes import install_web


def test_client_not_built_page(tmp_path: Path) -> None:
    app = FastAPI()
    install_web(app, dist=tmp_path / "dist")
    with TestClient(app) as client:
        r = client.get("/")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "make client" in r.text and "/docs" in r.text
        assert client.get("/assets/index-abc.js").status_code == 404


def test_client_built_files_and_cache_headers(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/index-abc.js"></script>')
    (dist / "assets" / "index-abc.js").write_text("console.log('twinspace')")
    app = FastAPI()
    install_web(app, dist=dist)
    with TestClient(app) as client:
        index = client.get("/")
        assert index.status_code == 200 and "/assets/index-abc.js" in index.text
        assert index.headers["cache-control"] == "no-cache"
        asset = client.get("/assets/index-abc.js")
        assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
        assert "immutable" in asset.headers["cache-control"]


def test_client_is_the_hubs_front_page(hub: Hub) -> None:
    with TestClient(create_app(hub)) as client:
        r = client.get("/")
        assert r.status_code == 200 and "twinspace" in r.text
        assert "/" not in {route.path for route in client.app.routes if getattr(route, "include_in_schema", False)}
