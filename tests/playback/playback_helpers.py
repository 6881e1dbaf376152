"""Shared pieces of the playback tests: a clock the test moves, callers, and short cuts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from twinspace.actions.registry import Caller, Outcome
from twinspace.geometry import Viewer
from twinspace.hub import Hub

KST = timezone(timedelta(hours=9))
AT = datetime(2026, 11, 28, 20, 5, tzinfo=KST)  # the dev home's guide covers 2026-11-28/29 (+09:00)
DEV_HOME = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "dev-home"
PARK = "park-family"
LOFT = "demo-loft"

MINJI = Caller(PARK, "minji", "quest-minji")  # rated 18
JOON = Caller(PARK, "joon", "quest-joon")  # rated 7
SAM = Caller(LOFT, "sam", "quest-sam")  # rated 12
ALEX = Caller(LOFT, "alex", "quest-alex", "owner")
LIVING = Viewer((0.0, 1.6, 1.0), 0.0)  # in the living room facing the TV (north wall)


class Clock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def act(hub: Hub, name: str, args: dict[str, Any], caller: Caller = MINJI, **kw: Any) -> Outcome:
    home_id = caller.home_id
    outcome = hub.apply(home_id, name, args, caller=caller, **kw)
    assert isinstance(outcome, Outcome), outcome
    return outcome


def open_panels(hub: Hub, *contents: str, caller: Caller = MINJI) -> list[str]:
    """Open panels on the living room walls in order (p1, p2, ...), as the eval's state does."""
    surfaces = ["living/wall-north", "living/wall-west", "living/wall-east", "living/wall-south"]
    ids = []
    for content, surface in zip(contents, surfaces, strict=False):
        out = act(hub, "panel.open", {"content": content, "placement": {"surface": surface}}, caller, viewer=LIVING)
        ids.append(out.result["panel"]["id"])
    return ids


def position(hub: Hub, target: str, home_id: str = PARK) -> float:
    """The live position of what plays on `target`, at the hub's clock."""
    from twinspace.content import playback as rules

    session = hub.home(home_id).playback[target]
    duration = hub.services.duration_of(home_id, session.content)
    return rules.position_at(session, hub.clock(), duration)
