"""The demo channels and on-demand titles really play: headless Chromium with hls.js against a real hub."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest
from fastapi import FastAPI
from media_helpers import REPO, hls_js
from playwright.sync_api import Browser, Page
from support import chromium, serving

from twinspace.media import Media
from twinspace.media.vod import VodOptions

pytestmark = pytest.mark.slow

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "artifacts" / "media"

# A test page the hub does not serve: Playwright answers these URLs itself, on the hub's origin.
PLAYER = """<!doctype html><meta charset="utf-8"><title>twinspace media test</title>
<body style="margin:0;background:#000"><video id="v" muted playsinline width="640" height="360"></video>
<script src="/__test__/hls.min.js"></script>
<script>
window.errors = [];
window.play = (src, useHls) => {
  const v = document.getElementById("v");
  if (useHls) {
    const hls = new Hls();
    hls.on(Hls.Events.ERROR, (_, d) => { if (d.fatal) window.errors.push(d.type + ": " + d.details); });
    hls.loadSource(src);
    hls.attachMedia(v);
  } else {
    v.src = src;
  }
  v.addEventListener("error", () => window.errors.push("video: " + (v.error && v.error.message)));
  v.play().catch((e) => window.errors.push("play: " + e));
};
</script>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium(CHROMIUM_ARGS) as b:
        yield b


@pytest.fixture
def hub_url(app: FastAPI, ffmpeg: str) -> Iterator[str]:
    """The real hub (uvicorn, lifespan and all) on a free port of 127.0.0.1."""
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser: Browser, hub_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 640, "height": 360})
    pg = context.new_page()
    pg.route(f"{hub_url}/__test__/player.html", lambda route: route.fulfill(body=PLAYER, content_type="text/html"))
    pg.route(f"{hub_url}/__test__/hls.min.js", lambda route: route.fulfill(path=hls_js()))
    pg.goto(f"{hub_url}/__test__/player.html")
    yield pg
    context.close()


def plays(page: Page, src: str, *, use_hls: bool, screenshot: str) -> tuple[float, float]:
    """Start playing and return currentTime once playback has begun and three seconds later."""
    page.evaluate("([src, useHls]) => window.play(src, useHls)", [src, use_hls])
    try:
        page.wait_for_function("document.getElementById('v').currentTime > 0.3", timeout=45_000)
        start = page.evaluate("document.getElementById('v').currentTime")
        page.wait_for_timeout(3000)
        end = page.evaluate("document.getElementById('v').currentTime")
    finally:  # what the viewer saw, also when it did not play
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / screenshot))
    assert page.evaluate("window.errors") == []
    assert page.evaluate("document.getElementById('v').videoWidth") == 640
    return start, end


def test_demo_channel_plays_in_chromium(page: Page, media: Media) -> None:
    from twinspace.hub_key import database_key
    from twinspace.media.signing import signed_live_url

    link = signed_live_url(database_key(media.hub.store.path), "demo-loft", "arena.demo")  # as /channels hands out
    start, end = plays(page, link, use_hls=True, screenshot="live-arena.png")
    assert end - start > 2.0, f"currentTime went from {start:.2f} to {end:.2f} in 3 s"


@pytest.mark.parametrize("path, use_hls", [("/media/vod/big-wave", False), ("/media/vod/big-wave/index.m3u8", True)],
                         ids=["byte-ranges", "hls"])
def test_on_demand_title_plays_in_chromium(page: Page, media: Media, token: Callable[..., str], path: str,
                                           use_hls: bool) -> None:
    media.vod.options = VodOptions(demo_clip_s=20)
    start, end = plays(page, f"{path}?token={token('alex')}", use_hls=use_hls,
                       screenshot=f"vod-{'hls' if use_hls else 'file'}.png")
    assert end - start > 2.0, f"currentTime went from {start:.2f} to {end:.2f} in 3 s"
