"""Serve the built XR client: `/` is the app, `/assets/*` its hashed, long-cached files.

The client is built from `client/` by `make client` (npm + Vite) into this package's
`dist/` folder. Without a build the hub still runs; `/` then says how to build the client.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DIST = Path(__file__).resolve().parent / "dist"
# Vite names every asset by its content hash: a changed file is a new URL, so cache for good.
IMMUTABLE = "public, max-age=31536000, immutable"
# index.html names the current assets: always revalidate it.
REVALIDATE = "no-cache"


class _Assets(StaticFiles):
    async def check_config(self) -> None:
        if self.directory is not None and Path(self.directory).is_dir():
            await super().check_config()
        # not built yet: asset URLs answer 404 until `make client` has run

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def install_web(app: FastAPI, hub: Any = None, dist: Path = DIST) -> None:
    """Add `/` (the client, or a page saying how to build it) and `/assets`."""
    index = dist / "index.html"

    @app.get("/", include_in_schema=False)
    @app.get("/index.html", include_in_schema=False)
    def client() -> Response:
        if index.is_file():
            return FileResponse(index, media_type="text/html", headers={"Cache-Control": REVALIDATE})
        return HTMLResponse(_not_built(dist), headers={"Cache-Control": REVALIDATE})

    app.mount("/assets", _Assets(directory=dist / "assets", check_dir=False), name="client-assets")


def _not_built(dist: Path) -> str:
    where = html.escape(str(dist))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>twinspace hub</title>
<style>
body{{margin:0;min-height:100vh;display:grid;place-items:center;background:#0e1014;color:#e8ecf3;
font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif}}
main{{max-width:36rem;padding:2rem;border:1px solid #2c323e;border-radius:16px;background:#14171d;margin:1rem}}
h1{{margin:0 0 .5rem;font-size:1.4rem}} a{{color:#7cb4ff}} p{{color:#aab4c4}}
code{{background:#222733;border:1px solid #2c323e;border-radius:5px;padding:.1rem .4rem;color:#e8ecf3}}
</style></head><body><main>
<h1>The hub is running; its XR client is not built yet</h1>
<p>Build it once with <code>make client</code> (it runs <code>npm ci</code> and <code>npm run build</code> in
<code>client/</code>), then reload this page. The build goes to <code>{where}</code>.</p>
<p>Meanwhile the API works: pair a device with the code from <code>twinspace pair</code>
(<code>POST /api/v1/pair</code>) and use the token it returns.</p>
<p>API reference: <a href="/docs">/docs</a> &middot; <a href="/openapi.json">/openapi.json</a></p>
</main></body></html>"""
