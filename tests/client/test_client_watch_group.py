"""Watching together in the XR client (docs/cowatch.md): a panel in a watch group plays along
over the cowatch socket, its toolbar and its 3D badge say who is in the group, and Leave
takes the panel out of the group for everyone."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from client_helpers import Rest, panel_in, wait_for

from twinspace.hub import Hub

pytestmark = pytest.mark.slow


def _group_of(hub: Hub, target: str) -> str | None:
    session = hub.home("demo-loft").playback.get(target)
    return session.group if session is not None else None


def test_client_shows_the_watch_group_and_leaves_it(open_page: Callable[..., Any], owner_rest: Rest,
                                                     client_hub: Hub) -> None:
    owner_rest.close_all()
    opened = owner_rest.action("panel.open", content="vod:big-wave", placement={"surface": "lounge/wall-north"})
    panel = opened["result"]["panel"]["id"]
    page = open_page()
    other = open_page(person="sam")  # another person's device sees the same group
    try:
        started = owner_rest.action("cowatch.start", target=panel, **{"with": ["tv-lounge"]})
        group = started["result"]["group"]
        assert sorted(started["result"]["targets"]) == sorted([panel, "tv-lounge"])

        # the panel's screen joins the group's timeline, and the hub tells it who is there
        def alex_listed() -> Any:
            entry = panel_in(page, panel) or {}
            lines = entry.get("group") or []
            return entry.get("cowatch") and any(line["who"].startswith("Alex") for line in lines) and lines
        try:
            lines = wait_for(alex_listed, timeout=30, what="Alex in the panel's group")
        except AssertionError as e:
            raise AssertionError(f"{e}; the panel: {panel_in(page, panel)}") from None
        whos = [line["who"] for line in lines]
        assert any(w.startswith("Alex") for w in whos), whos
        assert any("TV" in line["who"] or "TV" in line["where"] for line in lines), lines
        # sam's device plays along too: both people are listed there
        wait_for(lambda: {line["who"].split(" ")[0] for line in (panel_in(other, panel) or {}).get("group") or []}
                 >= {"Alex", "Sam"}, timeout=30, what="Alex and Sam in the group on sam's device")

        # focus the panel: the toolbar lists the members and offers Leave
        spot = panel_in(page, panel)["screen"]
        assert spot["visible"], spot
        page.mouse.click(spot["x"], spot["y"])
        page.wait_for_selector("#panel-toolbar:not([hidden]) #panel-group")
        members = page.locator("#panel-group .watch-members li")
        wait_for(lambda: members.count() >= 2, what="two or more members in the toolbar")
        text = page.text_content("#panel-group")
        assert "Alex" in text and "TV" in text, text

        page.click("#panel-leave")
        wait_for(lambda: _group_of(client_hub, panel) is None, what="the panel to leave the group")
        assert _group_of(client_hub, "tv-lounge") != group or len({t for t, s in client_hub.home("demo-loft").playback.items()
                                                                   if s.group == group}) < 2
        page.wait_for_selector("#panel-group", state="detached")
        wait_for(lambda: not (panel_in(page, panel) or {}).get("cowatch"), what="the panel's cowatch socket to close")
        wait_for(lambda: (panel_in(other, panel) or {}).get("group") is None, what="no group on sam's device")
    finally:
        owner_rest.close_all()
