"""The assistant box: a turn goes to the hub with the viewer's pose and focus, its events stream
in, applied actions can be undone and pending ones confirmed. The hub's answers are played back
here (the model itself is tested with the assistant), the browser side is real."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

pytestmark = pytest.mark.slow


def sse(*events: dict[str, Any]) -> str:
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"


def test_client_assistant_streams_undoes_and_confirms(open_page: Callable[..., Any]) -> None:
    page = open_page()
    turns: list[dict[str, Any]] = []
    undos: list[str] = []

    def turn(route: Any) -> None:
        body = route.request.post_data_json
        turns.append(body)
        if not body["confirm"]:
            events = sse({"type": "understood", "commands": "open channel:arena.demo side=right ; power tv-lounge off"},
                         {"type": "applied", "action": "panel.open", "args": {"content": "channel:arena.demo"},
                          "message": "Opened Arena Sports on lounge/wall-east"},
                         {"type": "pending", "action": "device.power", "args": {"device": "tv-lounge", "on": False},
                          "message": "Switching off the Lounge TV stops what is playing; confirm to go ahead"},
                         {"type": "done", "reply": "Opened Arena Sports on lounge/wall-east", "seconds": 0.21})
        else:
            events = sse({"type": "applied", "action": "device.power", "args": {"device": "tv-lounge", "on": False},
                          "message": "Lounge TV is now off"},
                         {"type": "done", "reply": "Lounge TV is now off", "seconds": 0.05})
        route.fulfill(status=200, body=events, headers={"Content-Type": "text/event-stream"})

    def undo(route: Any) -> None:
        undos.append(route.request.method)
        route.fulfill(status=200, content_type="application/json",
                      body=json.dumps({"status": "applied", "action": "undo", "args": {},
                                       "message": "Undid panel.open"}))

    page.route("**/v1/assistant/turns", turn)
    page.route("**/api/v1/homes/demo-loft/undo", undo)
    page.wait_for_selector('[data-slot="push-to-talk"]:not([disabled])')  # the hub serves voice

    page.fill("#assistant-input", "put the football on the wall to my right and switch off the tv")
    page.keyboard.press("Enter")
    page.wait_for_selector(".event-pending")
    sent = turns[0]
    assert sent["stream"] is True and sent["confirm"] is False
    assert len(sent["viewer"]["position"]) == 3 and isinstance(sent["viewer"]["yaw_deg"], (int, float))
    assert page.text_content(".event-applied").startswith("Opened Arena Sports")
    assert "confirm" in page.text_content(".event-pending")

    page.click(".event-applied button")
    page.wait_for_selector(".toast-ok")
    assert undos == ["POST"]

    page.click(".event-pending button.btn-primary")  # Confirm
    page.wait_for_function("document.querySelectorAll('.event-applied').length === 2")
    assert turns[1]["confirm"] is True and turns[1]["text"] == turns[0]["text"]
    assert "Lounge TV is now off" in page.text_content(".turn:last-child")
