"""The eval homes written for everyday phrasing (eval/homes/maple, eval/homes/seoul) as live
hubs, and a scripted model that records what it was asked: shared by the template-layer and
device-semantics tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

from twinspace.actions.registry import Caller
from twinspace.assistant.assistant import Assistant, TurnResult
from twinspace.assistant.runtime import Completion
from twinspace.content.services import ContentServices
from twinspace.geometry import Viewer
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.store.sqlite import Store

HOMES = Path(__file__).resolve().parents[2] / "eval" / "homes"
MAPLE_NOW = datetime(2026, 12, 6, 19, 30, tzinfo=timezone(timedelta(hours=-5)))
SEOUL_NOW = datetime(2026, 12, 6, 20, 30, tzinfo=timezone(timedelta(hours=9)))
SPOTS = {"living": (3.0, 1.6, 3.0), "kitchen": (8.0, 1.6, 2.0), "bedroom": (2.0, 1.6, 7.0),
         "office": (5.5, 1.6, 6.5), "hallway": (8.5, 1.6, 6.0), "master": (2.0, 1.6, 7.0), "kids": (5.5, 1.6, 6.5)}
MAPLE_LIGHTS = {"living": ["lamp-floor", "lamp-table", "light-living"], "kitchen": ["pendant-island", "light-counter"],
                "bedroom": ["lamp-bedside", "light-bedroom"], "office": ["lamp-desk"], "hallway": ["light-hall"]}


class ScriptedModel:
    """Writes the scripted command for a request ("none" for any other) and records the requests."""

    def __init__(self, script: Optional[dict[str, str]] = None) -> None:
        self.script = script or {}
        self.asked: list[str] = []

    def complete(self, prompt: str, **_: object) -> Completion:
        request = prompt.split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
        self.asked.append(request)
        return Completion(self.script.get(request, "none"), 20, 12, 10, 0.01)


class Home:
    """One eval home in a scratch hub, spoken to from a room."""

    def __init__(self, tmp: Path, name: str, now: datetime) -> None:
        self.store = Store(tmp / f"{name}.db")
        self.hub = Hub(self.store, clock=lambda: now, services=ContentServices(self.store, clock=lambda: now))
        self.hub.import_bundle(read_home_dir(HOMES / name))
        self.id = self.hub.home_ids()[0]
        owner = self.hub.home(self.id).owner_id()
        self.owner = Caller(self.id, owner, f"quest-{owner}", "owner")
        self.now = now

    def act(self, action: str, args: dict[str, Any], caller: Optional[Caller] = None) -> Any:
        return self.hub.apply(self.id, action, args, caller=caller or self.owner, now=self.now)

    def say(self, text: str, room: str, model: Optional[ScriptedModel] = None,
            caller: Optional[Caller] = None) -> TurnResult:
        return Assistant(self.hub, model or ScriptedModel()).turn(
            self.id, text, caller=caller or self.owner, viewer=Viewer(SPOTS[room], 0.0), room=room, now=self.now)

    def state(self, device: str) -> Any:
        return self.hub.home(self.id).device_state(device)

    def light_all(self, brightness: int = 60) -> None:
        for ids in MAPLE_LIGHTS.values():
            for device in ids:
                self.act("device.light", {"device": device, "brightness": brightness})


def applied(result: TurnResult) -> list[tuple[str, dict[str, Any]]]:
    return [(o.action, o.args) for o in result.applied]
