"""The three device modes render legibly at 1280×720; screenshots go to artifacts/client/."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from client_helpers import Rest, image_stats

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def something_playing(owner_rest: Rest) -> None:
    owner_rest.close_all()
    owner_rest.action("panel.open", content="channel:arena.demo",
                      placement={"surface": "lounge/wall-north", "size": "large"})
    owner_rest.action("panel.open", content="app:photos", placement={"surface": "lounge/wall-west", "size": "medium"})


@pytest.mark.parametrize("mode", ["headset", "glasses", "tv"])
def test_client_mode_renders(mode: str, something_playing: None, open_page: Callable[..., Any],
                             artifacts: Path) -> None:
    page = open_page(mode, viewport=(1280, 720))
    assert page.evaluate("window.__twinspace.mode") == mode
    if mode == "headset":
        page.wait_for_function("window.__twinspace.panels.some(p => p.hasVideo && p.currentTime > 0.5)", timeout=60_000)
        assert page.is_visible("#assistant-input") and page.is_visible("#open-panel")
    elif mode == "glasses":
        page.wait_for_selector("#nearby .hud-item")
        assert "Arena Sports" in page.text_content("#nearby")
        assert page.is_visible("#assistant-input")
        page.wait_for_selector("#notifications .hud-note")  # what happened in the home: the hub's journal
        assert "Opened Arena Sports" in page.text_content("#notifications")
    else:
        page.wait_for_function("window.__twinspace.nowPlaying && window.__twinspace.nowPlaying.hasVideo "
                               "&& window.__twinspace.nowPlaying.currentTime > 0.5", timeout=60_000)
        assert page.locator("#tv-guide .tv-guide-row[data-ref]").count() >= 3
        assert page.is_visible("#assistant-input") and page.is_visible("#continue-watching")
        page.keyboard.press("ArrowDown")  # the remote's D-pad moves the focus along the guide
        assert page.evaluate("document.activeElement.dataset.ref || ''").startswith("channel:")
    page.mouse.move(1279, 719)  # no hover effects in the picture
    page.wait_for_timeout(1000)
    png = page.screenshot(path=str(artifacts / f"{mode}.png"))
    stats = image_stats(png)
    assert stats["variance"] > 100 and stats["colours"] > 30, f"{mode} looks blank: {stats}"
