"""`twinspace eval`: run assistant cases (spec/home-format.md) and score them (spec/actions.md).

Each case's home is imported once into a scratch hub; before every case the home is reset
and seeded with the case's state, the turn runs as the case's viewer at the case's time,
and the actions as resolved and applied are compared with the expectation.

Besides accuracy the report says which layer understood each turn (template or model),
how often the assistant refused, how the "change nothing" cases (`expect: []`) fared, and
the wrong-action rate: the share of turns that applied a state change nobody asked for
(see `unasked`). Read-only actions and actions left pending for confirmation change
nothing and are never wrong actions; an applied action that changed nothing (the light
was already off) still counts, since the assistant did what was not asked.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

from twinspace.actions.registry import Caller
from twinspace.assistant import templates
from twinspace.assistant.assistant import Assistant, TurnResult
from twinspace.errors import FormatError
from twinspace.geometry import Viewer
from twinspace.home.homefile import read_home_dir
from twinspace.home.model import DeviceState, Home, Panel, Playback
from twinspace.home.placement import PlacementRequest, place
from twinspace.hub import Hub
from twinspace.store.sqlite import Store

READ_ONLY = {"guide.now", "content.search", "assistant.reply"}
CATEGORIES = ("open", "panel", "play", "hand", "dev", "multi", "ask", "safe")


@dataclass
class Case:
    id: str
    home: Path
    at: datetime
    utterance: str
    expect: Any
    viewer: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def category(self) -> str:
        parts = self.id.split("-")
        return next((p for p in parts if p in CATEGORIES), parts[0])


def load_cases(path: Path) -> list[Case]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(Case(raw["id"], (path.parent / raw["home"]).resolve(), datetime.fromisoformat(raw["at"]),
                              raw["utterance"], raw["expect"], raw["viewer"], raw.get("state") or {}))
        except (json.JSONDecodeError, KeyError, ValueError) as e:
            raise FormatError(str(path), f"line {n}", f"not a valid case: {e}") from None
    return cases


# --- matching ------------------------------------------------------------------------

def _subset(expected: Any, emitted: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(emitted, dict) and all(k in emitted and _subset(v, emitted[k]) for k, v in expected.items())
    if isinstance(expected, (int, float)) and isinstance(emitted, (int, float)) and not isinstance(expected, bool):
        return abs(expected - emitted) < 1e-6
    return expected == emitted


def _matches_list(expected: list[dict[str, Any]], emitted: list[dict[str, Any]]) -> bool:
    listed = {e["action"] for e in expected}
    emitted = [e for e in emitted if e["action"] not in READ_ONLY or e["action"] in listed]
    return len(expected) == len(emitted) and all(
        x["action"] == y["action"] and _subset(x.get("args", {}), y["args"]) for x, y in zip(expected, emitted))


def judge(expect: Any, emitted: list[dict[str, Any]], reply: str) -> bool:
    changed = [e for e in emitted if e["action"] not in READ_ONLY]
    if isinstance(expect, dict) and ("reply_contains" in expect or "reply_contains_any" in expect):
        text = reply.lower()
        if changed:
            return False
        if "reply_contains" in expect:
            return all(s.lower() in text for s in expect["reply_contains"])
        return any(s.lower() in text for s in expect["reply_contains_any"])
    if isinstance(expect, dict) and "any" in expect:
        return any(_matches_list(option, emitted) for option in expect["any"])
    return _matches_list(expect, emitted)


def _expected_lists(expect: Any) -> list[list[dict[str, Any]]]:
    if isinstance(expect, list):
        return [expect]
    if isinstance(expect, dict) and "any" in expect:
        return [option for option in expect["any"]]
    return [[]]  # a question: any state change is unasked


def unasked(expect: Any, applied: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The applied state changes no expected action accounts for.

    Each expected action may account for one applied action with the same name whose
    arguments include the ones it lists; with several acceptable answers, the one that
    leaves the fewest unaccounted for is used. Order is not considered: doing the asked
    things in another order is a wrong answer but not a wrong action."""
    changes = [a for a in applied if a["action"] not in READ_ONLY]
    best: Optional[list[dict[str, Any]]] = None
    for option in _expected_lists(expect):
        left = [e for e in option if e["action"] not in READ_ONLY]
        extra = []
        for action in changes:
            hit = next((e for e in left if e["action"] == action["action"] and _subset(e.get("args", {}), action["args"])),
                       None)
            if hit is None:
                extra.append(action)
            else:
                left.remove(hit)
        if best is None or len(extra) < len(best):
            best = extra
    return best or []


def emitted_actions(result: TurnResult) -> list[dict[str, Any]]:
    """Applied and pending actions, as resolved, in order (pending ones were proposed too)."""
    out = [{"action": o.action, "args": o.args} for o in result.applied]
    out += [{"action": p.action, "args": p.args} for p in result.pending]
    out += [{"action": o.action, "args": o.args} for o in result.answers]
    return out


# --- homes ---------------------------------------------------------------------------

class Homes:
    """One scratch hub per case home, imported once and reset before each case."""

    def __init__(self, services_factory: Optional[Callable[[Store], Any]] = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="twinspace-eval-")
        self._hubs: dict[Path, tuple[Hub, Home, dict[str, bytes]]] = {}
        self._services_factory = services_factory

    def hub_for(self, case: Case) -> Hub:
        if case.home not in self._hubs:
            store = Store(Path(self._tmp.name) / f"{len(self._hubs)}.db")
            services = self._services_factory(store) if self._services_factory else None
            hub = Hub(store, services=services)
            bundle = read_home_dir(case.home)
            hub.import_bundle(bundle)
            self._hubs[case.home] = (hub, bundle.home, bundle.files)
        hub, original, files = self._hubs[case.home]
        seeded = seed(original, case)
        hub.store.create_home(seeded, files, replace=True)
        hub.clock = lambda: case.at
        return hub

    def close(self) -> None:
        for hub, _, _ in self._hubs.values():
            hub.store.close()
        self._tmp.cleanup()


def viewer_of(case: Case) -> Viewer:
    v = case.viewer
    return Viewer(tuple(v.get("position", (0.0, 1.6, 0.0))), float(v.get("yaw_deg", 0.0)))  # type: ignore[arg-type]


def seed(home: Home, case: Case) -> Home:
    """The home with the case's state: panels on their surfaces, devices on and playing, focus."""
    seeded = home.model_copy(deep=True)
    state = case.state
    for raw in state.get("panels", []):
        found = seeded.surface(raw["surface"])
        if found is None:
            raise FormatError(case.id, "state.panels", f"surface {raw['surface']!r} is not in the home")
        room, _ = found
        spot = place(seeded, PlacementRequest(surface=raw["surface"], size=raw.get("size")), viewer_of(case), room.id)
        seeded.panels.append(Panel(id=raw["id"], content=raw["content"], room=room.id, pose=spot.pose,
                                   size=spot.size, size_preset=spot.size_preset, surface=raw["surface"]))
        # `group` (an extension of the case format) puts the session in a watch group.
        seeded.playback[raw["id"]] = Playback(content=raw["content"], playing=raw.get("playing", True),
                                              position_s=raw.get("position_s", 0.0), updated_at=case.at,
                                              group=raw.get("group"))
    for device_id, raw in state.get("devices", {}).items():
        found = seeded.device(device_id)
        if found is None:
            raise FormatError(case.id, "state.devices", f"device {device_id!r} is not in the home")
        device = found[1]
        device.state = DeviceState(on=raw.get("on", True), brightness=raw.get("brightness"), playing=raw.get("playing"))
        if raw.get("playing"):
            # `paused: true` (an extension of the case format) seeds a paused session on the device.
            seeded.playback[device_id] = Playback(content=raw["playing"], playing=not raw.get("paused", False),
                                                  updated_at=case.at, group=raw.get("group"))
    return seeded


# --- running -------------------------------------------------------------------------

@dataclass
class CaseResult:
    case: Case
    passed: bool
    emitted: list[dict[str, Any]]
    reply: str
    commands: str
    seconds: float
    evaluated_tokens: int
    layer: str = "model"  # which layer understood the turn: "template" or "model"
    wrong: list[dict[str, Any]] = field(default_factory=list)  # applied state changes not asked for
    refused: bool = False  # the turn declined (said why) and changed nothing

    @property
    def expects_nothing(self) -> bool:
        return self.case.expect == []


@dataclass
class Report:
    results: list[CaseResult]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    def by_category(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for r in self.results:
            p, n = out.get(r.case.category, (0, 0))
            out[r.case.category] = (p + r.passed, n + 1)
        return out

    def latency(self, layer: Optional[str] = None) -> tuple[float, float]:
        times = sorted(r.seconds for r in self.results if layer is None or r.layer == layer)
        if not times:
            return 0.0, 0.0
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        return statistics.median(times), p95

    def layers(self) -> dict[str, tuple[int, int]]:
        """(passed, total) per layer that understood the turns."""
        out: dict[str, tuple[int, int]] = {}
        for r in self.results:
            p, n = out.get(r.layer, (0, 0))
            out[r.layer] = (p + r.passed, n + 1)
        return out

    @property
    def wrong_turns(self) -> list[CaseResult]:
        return [r for r in self.results if r.wrong]

    @property
    def refusals(self) -> int:
        return sum(r.refused for r in self.results)

    def change_nothing(self) -> tuple[int, int]:
        cases = [r for r in self.results if r.expects_nothing]
        return sum(r.passed for r in cases), len(cases)

    def summary(self) -> str:
        n = len(self.results)
        p50, p95 = self.latency()
        cats = " ".join(f"{c} {p}/{t}" for c, (p, t) in sorted(self.by_category().items()))
        pct = 100 * self.passed / n if n else 0.0
        lines = [f"accuracy: {self.passed}/{n} ({pct:.1f}%)", f"categories: {cats}"]
        for layer, (p, t) in sorted(self.layers().items()):
            l50, l95 = self.latency(layer)
            lines.append(f"layer {layer}: {t} turns ({100 * t / n:.0f}%), {p}/{t} right ({100 * p / t:.1f}%), "
                         f"p50 {l50 * 1000:.0f} ms, p95 {l95 * 1000:.0f} ms")
        wrong = self.wrong_turns
        nothing_p, nothing_t = self.change_nothing()
        lines.append(f"wrong actions: {len(wrong)}/{n} turns ({100 * len(wrong) / n if n else 0:.1f}%), "
                     f"{sum(len(r.wrong) for r in wrong)} unasked state changes")
        lines.append(f"refusals: {self.refusals}/{n} turns; change nothing: {nothing_p}/{nothing_t}")
        lines.append(f"latency: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        p50, p95 = self.latency()
        n = len(self.results)
        nothing_p, nothing_t = self.change_nothing()
        layers = {}
        for layer, (p, t) in self.layers().items():
            l50, l95 = self.latency(layer)
            layers[layer] = {"passed": p, "total": t, "accuracy": p / t,
                             "latency_ms": {"p50": round(l50 * 1000, 1), "p95": round(l95 * 1000, 1)}}
        return {"passed": self.passed, "total": n,
                "accuracy": self.passed / n if n else 0.0,
                "categories": {c: {"passed": p, "total": t} for c, (p, t) in self.by_category().items()},
                "layers": layers,
                "wrong_actions": {"turns": len(self.wrong_turns), "rate": len(self.wrong_turns) / n if n else 0.0,
                                  "actions": sum(len(r.wrong) for r in self.wrong_turns)},
                "refusals": self.refusals,
                "change_nothing": {"passed": nothing_p, "total": nothing_t},
                "latency_ms": {"p50": round(p50 * 1000, 1), "p95": round(p95 * 1000, 1)},
                "cases": [{"id": r.case.id, "passed": r.passed, "utterance": r.case.utterance,
                           "expected": r.case.expect, "emitted": r.emitted, "reply": r.reply,
                           "commands": r.commands, "layer": r.layer, "wrong": r.wrong, "refused": r.refused,
                           "ms": round(r.seconds * 1000, 1)} for r in self.results]}


def run_cases(cases: list[Case], model: Any, *, services_factory: Optional[Callable[[Store], Any]] = None,
              progress: Optional[Callable[[CaseResult], None]] = None) -> Report:
    for language in templates.LANGUAGES:
        templates.warm(language)  # parsing the templates is start-up, not the first case's latency
    homes = Homes(services_factory)
    results = []
    try:
        for case in cases:
            hub = homes.hub_for(case)  # a scratch hub holding just this case's home
            v = case.viewer
            home_id = hub.home_ids()[0]
            person = v.get("person")
            role = "owner" if person == hub.home(home_id).owner_id() else "member"
            caller = Caller(home_id, person, v.get("device"), role)
            result = Assistant(hub, model).turn(home_id, case.utterance, caller=caller, viewer=viewer_of(case),
                                               room=v.get("room"), focus=case.state.get("focus"), now=case.at)
            emitted = emitted_actions(result)
            applied = [{"action": o.action, "args": o.args} for o in result.applied]
            u = result.understanding
            cr = CaseResult(case, judge(case.expect, emitted, result.reply), emitted, result.reply,
                            u.raw if u else "", result.seconds, u.evaluated_tokens if u else 0,
                            layer=result.layer, wrong=unasked(case.expect, applied),
                            refused=bool(result.refusals) and not result.applied and not result.pending)
            results.append(cr)
            if progress:
                progress(cr)
    finally:
        homes.close()
    return Report(results)
