"""Watching together through the assistant (docs/cowatch.md): "watch this together with the TV",
"play it on the TV too", "stop watching together", "leave the group" and everyday variants.

The template layer answers them today (the shipped adapter was trained before the `together`
and `apart` commands existed); the model layer's commands plan to the same actions, for when
the adapter has learnt them from datagen."""

from dataclasses import replace
from pathlib import Path

import pytest

from test_planner import ScriptedModel
from twinspace.assistant import datagen, ir
from twinspace.assistant.evaluation import load_cases, run_cases
from twinspace.content.services import ContentServices

CASES = Path(__file__).resolve().parents[2] / "eval" / "cowatch-cases.jsonl"


class NoModel:
    """A model that must not be asked: every case here is the template layer's."""

    def complete(self, prompt: str, **_: object) -> object:
        request = prompt.split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
        raise AssertionError(f"the model was asked {request!r}")


@pytest.fixture(scope="module")
def cases():
    return load_cases(CASES)


def _failures(report):
    return [(r.case.id, r.case.utterance, r.emitted, r.reply) for r in report.results if not r.passed]


def test_the_templates_understand_watching_together(cases) -> None:
    report = run_cases(cases, NoModel(), services_factory=ContentServices)
    assert _failures(report) == []
    assert {r.layer for r in report.results} == {"template"}
    refused = next(r for r in report.results if r.case.expect == {"reply_contains": ["nothing"]})
    assert "watched together" in refused.reply


# Words the templates do not cover, as the model would write them once trained on datagen.
MODEL_READINGS = {
    "loft-together-01": ("could the telly join in on this", 'together what="this" with="the telly"'),
    "loft-together-08": ("get my headset in on it", 'together what="it" with="my headset"'),
    "loft-together-12": ("the tv can go its own way now", 'apart what="the tv"'),
    "loft-together-16": ("everyone go back to watching separately", "apart"),
}


def test_the_model_layers_commands_plan_the_same_actions(cases) -> None:
    by_id = {c.id: c for c in cases}
    rewritten = [replace(by_id[i], utterance=text) for i, (text, _) in MODEL_READINGS.items()]
    model = ScriptedModel({text: commands for text, commands in MODEL_READINGS.values()})
    report = run_cases(rewritten, model, services_factory=ContentServices)
    assert _failures(report) == []
    assert {r.layer for r in report.results} == {"model"}


def test_datagen_teaches_the_new_commands() -> None:
    pairs = list(datagen.examples(3000, seed=16))
    verbs = [c.verb for _, commands in pairs for c in ir.parse(commands)]
    assert verbs.count("together") > 20 and verbs.count("apart") > 15
    together = [t for t, commands in pairs if commands.startswith("together")]
    assert any(" too" in t or "as well" in t for t in together) and any("together" in t for t in together)
