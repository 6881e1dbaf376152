"""`twinspace eval`'s report beyond accuracy: which layer answered, the wrong-action rate (an
applied state change no expected action accounts for), refusals, and the change-nothing cases."""

from __future__ import annotations

import json
from pathlib import Path

from everyday_homes import HOMES, ScriptedModel
from twinspace.assistant.evaluation import load_cases, run_cases, unasked
from twinspace.content.services import ContentServices

LAMP_OFF = {"action": "device.power", "args": {"device": "lamp-floor", "on": False}}
TABLE_OFF = {"action": "device.power", "args": {"device": "lamp-table", "on": False}}


def test_unasked_counts_what_no_expectation_accounts_for() -> None:
    assert unasked([LAMP_OFF], [LAMP_OFF]) == []
    assert unasked([LAMP_OFF], [TABLE_OFF]) == [TABLE_OFF]  # the wrong lamp
    assert unasked([], [LAMP_OFF]) == [LAMP_OFF]  # asked to change nothing
    assert unasked({"reply_contains": ["which"]}, [LAMP_OFF]) == [LAMP_OFF]  # a question, answered by acting
    assert unasked([LAMP_OFF], [LAMP_OFF, TABLE_OFF]) == [TABLE_OFF]  # one more than asked
    assert unasked({"any": [[TABLE_OFF], [LAMP_OFF]]}, [LAMP_OFF]) == []
    assert unasked([], [{"action": "content.search", "args": {"query": "x"}}]) == []  # read-only changes nothing
    # Fewer than asked is a wrong answer, not a wrong action.
    assert unasked([LAMP_OFF, TABLE_OFF], [TABLE_OFF]) == []


def _case(n: int, utterance: str, expect, state=None) -> dict:  # noqa: ANN001
    case = {"id": f"maple-dev-{n:03d}", "home": str(HOMES / "maple"), "at": "2026-12-06T19:30:00-05:00",
            "viewer": {"device": "quest-dana", "person": "dana", "room": "living", "position": [3, 1.6, 3],
                       "yaw_deg": 0}, "utterance": utterance, "expect": expect}
    if state:
        case["state"] = state
    return case


def test_the_report_counts_layers_wrong_actions_refusals_and_change_nothing(tmp_path: Path) -> None:
    lit = {"devices": {"lamp-floor": {"on": True}, "lamp-table": {"on": True}}}
    cases = [
        _case(1, "turn off the floor lamp", [LAMP_OFF], lit),  # templates, right
        _case(2, "the floor lamp has to go dark", [LAMP_OFF], lit),  # model, switches the wrong lamp
        _case(3, "order me a pizza", []),  # model refuses: changes nothing, as asked
        _case(4, "i'm done with that lamp by the sofa", [], lit),  # model acts where nothing was asked
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    model = ScriptedModel({"the floor lamp has to go dark": 'power what="the table lamp" on=no',
                           "i'm done with that lamp by the sofa": 'power what="the floor lamp" on=no'})
    report = run_cases(load_cases(path), model, services_factory=ContentServices)
    out = report.to_json()
    assert [r.layer for r in report.results] == ["template", "model", "model", "model"]
    assert out["layers"]["template"]["passed"] == 1 and out["layers"]["template"]["total"] == 1
    assert out["layers"]["model"]["passed"] == 1 and out["layers"]["model"]["total"] == 3
    assert out["wrong_actions"] == {"turns": 2, "rate": 0.5, "actions": 2}
    assert [c["wrong"] for c in out["cases"]] == [[], [TABLE_OFF], [], [LAMP_OFF]]
    assert out["refusals"] == 1 and report.results[2].refused
    assert out["change_nothing"] == {"passed": 1, "total": 2}
    summary = report.summary()
    assert "wrong actions: 2/4 turns (50.0%)" in summary and "change nothing: 1/2" in summary
    assert "layer template: 1 turns" in summary


def test_a_seeded_paused_session(tmp_path: Path) -> None:
    state = {"devices": {"tv-living": {"on": True, "playing": "vod:harbor-lights", "paused": True}}}
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(_case(1, "resume", [{"action": "playback.resume", "args": {"target": "tv-living"}}],
                                     state)) + "\n", encoding="utf-8")
    report = run_cases(load_cases(path), ScriptedModel(), services_factory=ContentServices)
    assert report.passed == 1 and report.results[0].layer == "template"
