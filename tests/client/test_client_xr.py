"""One immersive session through Meta's WebXR emulator (iwer), injected before the app starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from client_helpers import Rest, emulator, panel_in, wait_for

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind, label, session",
                         [("vr", "Enter VR", "immersive-vr"), ("ar", "Enter AR", "immersive-ar")])
def test_client_immersive_session(kind: str, label: str, session: str, iwer_js: str,
                                  open_page: Callable[..., Any], artifacts: Path) -> None:
    modes = ["inline", "immersive-vr"] + (["immersive-ar"] if kind == "ar" else [])
    page = open_page(init_scripts=(iwer_js, emulator(modes)))
    page.wait_for_function(f"window.__twinspace.xr.supported.{kind} === true")
    button = page.locator("#xr-button")
    page.wait_for_function("!document.getElementById('xr-button').disabled")
    assert button.text_content().strip() == label

    button.click()
    page.wait_for_function("window.__twinspace.xr.presenting === true", timeout=20_000)
    assert page.evaluate("window.__twinspace.xr.mode") == session
    page.wait_for_timeout(500)  # some frames in the headset
    assert page.evaluate("window.__twinspace.xr.presenting") is True
    if kind == "vr":
        page.screenshot(path=str(artifacts / "xr-vr.png"))

    # end the session from the same button (the emulator's canvas may cover the page)
    page.evaluate("document.getElementById('xr-button').click()")
    page.wait_for_function("window.__twinspace.xr.presenting === false", timeout=10_000)
    assert page.locator("#xr-button").text_content().strip() == label


def _point_and_pull(page: Any, at: list[float], then: list[float] | None = None) -> None:
    """Aim the right controller (pointing -Z, like the person facing the wall) and pull its trigger;
    move it to `then` while holding."""
    page.evaluate("([x, y, z]) => { const c = window.__iwerDevice.controllers.right; c.position.set(x, y, z);"
                  " c.quaternion.set(0, 0, 0, 1); }", at)
    page.wait_for_timeout(250)
    page.evaluate("window.__iwerDevice.controllers.right.updateButtonValue('trigger', 1)")
    page.wait_for_timeout(250)
    if then is not None:
        for i in range(1, 9):
            p = [a + (b - a) * i / 8 for a, b in zip(at, then)]
            page.evaluate("([x, y, z]) => window.__iwerDevice.controllers.right.position.set(x, y, z)", p)
            page.wait_for_timeout(60)
        page.wait_for_timeout(250)
    page.evaluate("window.__iwerDevice.controllers.right.updateButtonValue('trigger', 0)")
    page.wait_for_timeout(250)


def test_client_controller_drags_and_resizes_in_ar(iwer_js: str, open_page: Callable[..., Any],
                                                   owner_rest: Rest) -> None:
    """In AR the twin is the room (no offset): a controller ray selects a panel, drags it along
    its wall, and the buttons drawn under it resize it."""
    owner_rest.close_all()
    opened = owner_rest.action("panel.open", content="app:photos",
                               placement={"surface": "lounge/wall-north", "size": "small"})
    panel_id = opened["result"]["panel"]["id"]
    owner_rest.action("panel.pose", panel=panel_id, position=[-2.2, 1.5, -2.49], surface="lounge/wall-north")

    page = open_page(init_scripts=(iwer_js, emulator(["inline", "immersive-vr", "immersive-ar"])))
    wait_for(lambda: panel_in(page, panel_id), what="the panel")
    page.wait_for_function("!document.getElementById('xr-button').disabled")
    page.click("#xr-button")
    page.wait_for_function("window.__twinspace.xr.presenting === true && window.__twinspace.xr.mode === 'immersive-ar'")

    _point_and_pull(page, [-2.2, 1.5, -2.2], then=[-1.6, 1.7, -2.2])
    moved = wait_for(lambda: (p := owner_rest.panel(panel_id))["pose"]["position"][0] > -1.8 and p,
                     what="the panel dragged by the controller")
    x, y, _ = moved["pose"]["position"]
    assert abs(x - (-1.6)) < 0.1 and abs(y - 1.7) < 0.1, moved["pose"]

    controls = page.evaluate("window.__twinspace.xr.controls")
    large = next(c for c in controls if c.get("size") == "large")
    assert large["panel"] == panel_id
    bx, by, bz = large["position"]
    _point_and_pull(page, [bx, by, bz + 0.3])
    wait_for(lambda: owner_rest.panel(panel_id)["size_preset"] == "large", what="the panel resized from the headset")
    page.evaluate("document.getElementById('xr-button').click()")
    page.wait_for_function("window.__twinspace.xr.presenting === false")
