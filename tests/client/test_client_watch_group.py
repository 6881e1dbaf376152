"""Watching together in the XR client (docs/cowatch.md): a panel in a watch group plays along
over the cowatch socket, its toolbar and its 3D badge say who is in the group, and Leave
takes the panel out of the group for everyone."""

from __future__ import annotations

from pathlib import Path
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


def _members(page: Any, box: str) -> list[str]:
    """The member lines a mode shows in its Together box (#tv-group, #glasses-group); [] when none."""
    return page.evaluate(f"[...document.querySelectorAll('{box} .watch-members li')].map(li => li.textContent)")


def _playing_along(page: Any) -> bool:
    return bool(page.evaluate("(window.__twinspace.nowPlaying || {}).cowatch"))


def test_tv_and_glasses_show_the_group_and_the_tv_leaves_by_remote(open_page: Callable[..., Any], owner_rest: Rest,
                                                                   client_hub: Hub, artifacts: Path) -> None:
    owner_rest.close_all()
    owner_rest.action("playback.play", content="vod:big-wave", target="tv-lounge")
    tv = open_page("tv", viewport=(1280, 720))  # this page is the lounge TV's picture
    glasses = open_page("glasses", device="glasses-alex")  # Alex's glasses: what plays on them plays here
    opened = owner_rest.action("panel.open", content="vod:big-wave", placement={"surface": "lounge/wall-north"})
    panel = opened["result"]["panel"]["id"]
    try:
        assert _members(tv, "#tv-group") == [] and _members(glasses, "#glasses-group") == []

        # the glasses join the TV: each shows the other, from the cowatch socket it plays along on
        owner_rest.action("cowatch.start", target="tv-lounge", **{"with": ["glasses-alex"]})
        group = _group_of(client_hub, "tv-lounge")
        assert group is not None and _group_of(client_hub, "glasses-alex") == group
        wait_for(lambda: any("Ray-Ban Meta" in m and "Alex's glasses" in m for m in _members(tv, "#tv-group")),
                 timeout=45, what="Alex's glasses in the TV's Together box")
        wait_for(lambda: any("Lounge TV" in m for m in _members(glasses, "#glasses-group")),
                 timeout=45, what="the Lounge TV in the glasses' Together box")
        assert _playing_along(tv) and _playing_along(glasses)

        # a panel joins and leaves: it appears in both modes, then only it disappears
        owner_rest.action("cowatch.join", group=group, target=panel)
        for page, box in ((tv, "#tv-group"), (glasses, "#glasses-group")):
            wait_for(lambda: any("Big Wave panel" in m for m in _members(page, box)), what=f"the panel in {box}")
        owner_rest.action("cowatch.leave", target=panel)
        for page, box in ((tv, "#tv-group"), (glasses, "#glasses-group")):
            wait_for(lambda: (lambda ms: ms and not any("panel" in m for m in ms))(_members(page, box)),
                     what=f"the panel gone from {box}, the others still there")

        # the glasses leave: a group of one is no group, so neither mode shows one
        glasses.click("#glasses-leave")
        wait_for(lambda: _group_of(client_hub, "glasses-alex") is None, what="the glasses to leave the group")
        wait_for(lambda: _members(tv, "#tv-group") == [] and not _playing_along(tv), what="no group on the TV")
        wait_for(lambda: _members(glasses, "#glasses-group") == [] and not _playing_along(glasses),
                 what="no group on the glasses")

        # again, and the TV leaves with the remote: arrow keys to Leave (focus visible), Enter
        owner_rest.action("cowatch.start", target="tv-lounge", **{"with": ["glasses-alex"]})
        tv.wait_for_selector("#tv-leave")
        tv.focus("#tv-guide [data-nav]")  # where the remote's focus starts: the guide's first row
        tv.keyboard.press("ArrowUp")  # now playing sits right above it
        focused = tv.evaluate("""(() => { const el = document.activeElement, s = getComputedStyle(el)
            return {id: el.id, visible: el.matches(':focus-visible'), outline: s.outlineStyle,
                    width: s.outlineWidth} })()""")
        assert focused["id"] == "tv-leave", focused
        assert focused["visible"] and focused["outline"] != "none" and focused["width"] != "0px", focused
        tv.screenshot(path=str(artifacts / "tv-together.png"))
        glasses.screenshot(path=str(artifacts / "glasses-together.png"), full_page=True)
        tv.keyboard.press("Enter")
        wait_for(lambda: _group_of(client_hub, "tv-lounge") is None, what="the TV to leave the group on the hub")
        wait_for(lambda: _members(tv, "#tv-group") == [], what="no group on the TV")
        wait_for(lambda: _members(glasses, "#glasses-group") == [], what="no group on the glasses")
        # the remote's focus is not lost with the button: it is back on the guide
        assert tv.evaluate("!!document.activeElement.closest('#tv-guide')"), \
            tv.evaluate("document.activeElement.outerHTML")
    finally:
        owner_rest.close_all()
        for target in ("tv-lounge", "glasses-alex"):
            if _group_of(client_hub, target) is not None:
                owner_rest.action("cowatch.leave", target=target)
