"""Item 6: undo re-checks the caller's rating limit, like any action that shows content."""

from __future__ import annotations

import pytest
from rules_helpers import JOON, MINJI, dev_hub
from fastapi.testclient import TestClient

from twinspace import access
from twinspace.errors import NotAllowed
from twinspace.geometry import Viewer
from twinspace.server.app import create_app

HOME = "park-family"
LIVING = Viewer((0.0, 1.6, 1.0), 0.0)  # in the living room facing the TV


def _play_on_tv(hub) -> None:  # noqa: ANN001 - a Hub
    hub.apply(HOME, "playback.play", {"content": "vod:harbor-lights", "target": "tv-living"}, caller=MINJI)


def test_a_child_cannot_resume_a_15_by_undoing_a_pause(tmp_path) -> None:
    with dev_hub(tmp_path) as hub:
        _play_on_tv(hub)
        hub.apply(HOME, "playback.pause", {"target": "tv-living"}, caller=MINJI)
        with pytest.raises(NotAllowed, match="rated 15, above Joon's limit of 7"):
            hub.apply(HOME, "playback.resume", {"target": "tv-living"}, caller=JOON)
        version = hub.version(HOME)
        with pytest.raises(NotAllowed, match="rated 15, above Joon's limit of 7"):
            hub.undo(HOME, JOON)
        assert hub.version(HOME) == version  # nothing written
        assert hub.home(HOME).playback["tv-living"].playing is False
        assert hub.store.journal(HOME, 1)[0].action == "playback.pause"
        hub.undo(HOME, MINJI)  # the person allowed to watch it may undo
        assert hub.home(HOME).playback["tv-living"].playing is True


def test_a_child_cannot_bring_back_a_closed_panel_of_a_15(tmp_path) -> None:
    with dev_hub(tmp_path) as hub:
        opened = hub.apply(HOME, "panel.open", {"content": "vod:harbor-lights"}, caller=MINJI, viewer=LIVING)
        panel = opened.result["panel"]["id"]
        hub.apply(HOME, "panel.close", {"panel": panel}, caller=MINJI)
        with pytest.raises(NotAllowed):
            hub.undo(HOME, JOON)
        assert hub.home(HOME).panel(panel) is None
        # Content within the limit comes back as before.
        kids = hub.apply(HOME, "panel.open", {"content": "vod:tiny-chef"}, caller=MINJI, viewer=LIVING).result["panel"]["id"]
        hub.apply(HOME, "panel.close", {"panel": kids}, caller=MINJI)
        hub.undo(HOME, JOON)
        assert hub.home(HOME).panel(kids) is not None


def test_the_undo_route_answers_a_problem_document(tmp_path) -> None:
    with dev_hub(tmp_path) as hub:
        _play_on_tv(hub)
        hub.apply(HOME, "playback.pause", {"target": "tv-living"}, caller=MINJI)
        token = access.issue_token(hub.store, HOME, "joon", "Joon's Quest", device="quest-joon").token
        r = TestClient(create_app(hub)).post(f"/api/v1/homes/{HOME}/undo", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "above Joon's limit of 7" in r.json()["detail"]
