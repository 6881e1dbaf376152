"""Answering the assistant's question about misheard words ("did you mean the floor lamp or
the ceiling light?"): the next turn by the same speaker goes on with the original command."""

from datetime import timedelta

import pytest

from support import DEMO_NOW
from twinspace.actions.registry import Caller
from twinspace.assistant import grounding as g
from twinspace.assistant.assistant import Assistant
from twinspace.assistant.ir import Call
from twinspace.assistant.planner import DECLINED, Clarify, answer
from twinspace.assistant.runtime import Completion

SCRIPT = {
    "turn off the ramp": 'power what="the ramp" on=no',
    "close the ramp": 'close what="the ramp"',
    "order me a pizza": "none",
    "turn on the ceiling light": 'power what="the ceiling light" on=yes',
}


class ScriptedModel:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.script = {**SCRIPT, "the floor lamp": "none"}  # as a request of its own, it asks nothing

    def complete(self, prompt: str, **_: object) -> Completion:
        request = prompt.split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
        self.asked.append(request)
        return Completion(self.script[request], 20, 12, 10, 0.01)


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


def _on(hub, device: str) -> bool:  # noqa: ANN001 - the conftest hub
    return hub.home("demo-loft").device(device)[1].state.on


def _ask(hub, model, owner, text: str = "turn off the ramp"):  # noqa: ANN001, ANN202
    hub.apply("demo-loft", "device.power", {"device": "lamp-floor", "on": True}, caller=owner)
    result = Assistant(hub, model).turn("demo-loft", text, caller=owner)
    assert result.applied == []
    assert result.reply.startswith("I heard 'ramp' — did you mean ")
    assert "the floor lamp" in result.reply and "the ceiling light" in result.reply
    return result


@pytest.mark.parametrize("said", ["turn off the ramp", "close the ramp"])
def test_naming_a_candidate_goes_on_without_the_model(hub, model, owner, said) -> None:
    _ask(hub, model, owner, said)
    # A new Assistant, as each HTTP request makes one.
    result = Assistant(hub, model).turn("demo-loft", "the floor lamp", caller=owner)
    assert [(o.action, o.args) for o in result.applied] == [("device.power", {"device": "lamp-floor", "on": False})]
    assert not _on(hub, "lamp-floor")
    assert model.asked == [said]  # the answer never went to the model
    assert result.understanding.commands[0].slots["what"] == "the floor lamp"


def test_events_look_like_a_normal_turn(hub, model, owner) -> None:
    _ask(hub, model, owner)
    events = list(Assistant(hub, model).events("demo-loft", "floor lamp please", caller=owner))
    assert [e.type for e in events] == ["understood", "applied", "done"]
    assert events[0].data["commands"] == 'power what="the floor lamp" on=no'


def test_the_first_one(hub, model, owner) -> None:
    _ask(hub, model, owner)
    result = Assistant(hub, model).turn("demo-loft", "the first one", caller=owner)
    assert [o.args["device"] for o in result.applied] == ["lamp-floor"]


def test_declining(hub, model, owner) -> None:
    _ask(hub, model, owner)
    version = hub.version("demo-loft")
    result = Assistant(hub, model).turn("demo-loft", "never mind", caller=owner)
    assert result.reply == "OK, never mind." and result.applied == []
    assert hub.version("demo-loft") == version and model.asked == ["turn off the ramp"]
    # The question is gone: a later "the floor lamp" is a new request.
    Assistant(hub, model).turn("demo-loft", "the floor lamp", caller=owner)
    assert model.asked[-1] == "the floor lamp" and _on(hub, "lamp-floor")


def test_an_unrelated_request_is_handled_normally_and_drops_the_question(hub, model, owner) -> None:
    _ask(hub, model, owner)
    result = Assistant(hub, model).turn("demo-loft", "turn on the ceiling light", caller=owner)
    assert [(o.action, o.args) for o in result.applied] == [
        ("device.power", {"device": "light-ceiling", "on": True})]
    # The templates cover this one, so the model is not asked at all.
    assert result.layer == "template" and model.asked == ["turn off the ramp"]
    assert Assistant(hub, model).questions.take(("demo-loft", "quest-alex"), DEMO_NOW) is None


def test_someone_else_cannot_answer(hub, model, owner) -> None:
    _ask(hub, model, owner)
    other = Caller(home_id="demo-loft", person="alex", device="phone-alex", role="owner")
    result = Assistant(hub, model).turn("demo-loft", "the floor lamp", caller=other)
    assert result.applied == [] and model.asked[-1] == "the floor lamp"
    # The asker's question still waits for them.
    result = Assistant(hub, model).turn("demo-loft", "floor", caller=owner)
    assert [o.args["device"] for o in result.applied] == ["lamp-floor"]


def test_a_late_answer_is_a_new_request(hub, model, owner) -> None:
    _ask(hub, model, owner)
    result = Assistant(hub, model).turn("demo-loft", "the floor lamp", caller=owner,
                                        now=DEMO_NOW + timedelta(seconds=61))
    assert result.applied == [] and model.asked[-1] == "the floor lamp" and _on(hub, "lamp-floor")


def _clarify(*names: str) -> Clarify:
    return Clarify(Call("power", {"what": "the ramp", "on": "no"}), "what", "ramp",
                   tuple(g.Candidate(n, n) for n in names))


@pytest.mark.parametrize("said, meant", [
    ("the floor lamp", "the floor lamp"), ("floor", "the floor lamp"), ("Floor lamp, please.", "the floor lamp"),
    ("no, the ceiling light", "the ceiling light"), ("the big light", "the ceiling light"),
    ("the second one", "the ceiling light"), ("the last one", "the ceiling light"),
    ("no", DECLINED), ("never mind", DECLINED), ("cancel", DECLINED), ("no thanks", DECLINED),
    ("yes", None), ("the lamp or the light", None), ("turn on the floor lamp", None), ("the third one", None),
    ("what's on the news", None),
])
def test_answers(said, meant) -> None:
    picked = answer(_clarify("the floor lamp", "the ceiling light"), said)
    assert (picked.name if isinstance(picked, g.Candidate) else picked) == meant


def test_yes_picks_the_only_candidate() -> None:
    assert answer(_clarify("the floor lamp"), "yeah").name == "the floor lamp"
    assert answer(_clarify("the floor lamp"), "yes please").name == "the floor lamp"
