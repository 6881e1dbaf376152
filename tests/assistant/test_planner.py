"""Grounding and planning, with the model's part scripted: given the right commands, do the
live home's ids and the right actions come out? (The model's part is measured by `twinspace eval`.)"""

from pathlib import Path

import pytest

from twinspace.assistant.evaluation import judge, load_cases, run_cases
from twinspace.assistant.runtime import Completion

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

# What a well-trained adapter writes for the shared dev cases.
SCRIPT = {
    "open-01": 'show what="the football" where="the wall to my right"',
    "open-02": 'show what="news 24" where="front of me"',
    "open-03": 'show what="the kids channel" where="the coffee table"',
    "open-04": 'show what="starfall" where="the wall behind me"',
    "open-05": 'show what="the documentary channel" where="the left wall"',
    "open-06": 'show what="youtube" where="the table"',
    "open-07": 'show what="some jazz" where="the wall on my left"',
    "open-08": 'show what="the yoga session"',
    "open-09": 'show what="the weather" where="the wall in front of me"',
    "open-10": 'show what="the cooking channel" where="the right" size=large',
    "panel-01": 'resize what="the news" size=large',
    "panel-02": 'move what="the movie" where="the right wall"',
    "panel-03": 'close what="the cartoons"',
    "panel-04": 'close what="the news"',
    "panel-05": 'move what="this one" where="the coffee table"',
    "play-01": "pause",
    "play-02": 'resume what="the movie"',
    "play-03": 'seek forward="30 seconds"',
    "play-04": 'seek back="two minutes"',
    "play-05": 'volume what="the news" level="20"',
    "play-06": 'volume what="the movie" change=mute',
    "play-07": 'volume what="it" change=up',
    "play-08": 'switch what="sports two" where="the news panel"',
    "play-09": 'show what="the baseball" where="the television"',
    "play-10": 'show what="harbor lights" where="the tv"',
    "hand-01": 'move what="the movie" where="the tv"',
    "hand-02": 'move what="what\'s on the tv" where="my headset"',
    "hand-03": 'move what="the news" where="my glasses"',
    "dev-01": 'power what="the tv" on=no',
    "dev-02": 'power what="the corner lamp" on=yes',
    "dev-03": 'light what="the bedside lamp" level="30 percent"',
    "dev-04": 'power what="lights" on=no',
    "dev-05": 'power what="the light" on=yes',
    "dev-06": 'power what="the soundbar" on=yes',
    "dev-07": 'show what="netflix" where="the tv"',
    "multi-01": 'power what="the lamp" on=no ; show what="jazz" where="the left wall"',
    "ask-01": 'ask_on what="sports one" when="right now"',
    "ask-02": 'ask_on what="the kids channel"',
    "ask-03": 'ask_find what="the ocean"',
    "ask-04": 'ask_playing what="the tv"',
    "safe-01": 'show what="midnight case files"',
    "safe-02": "none",
    "safe-03": "none",
    "safe-04": 'move what="the movie" where="the kitchen wall"',
}


class ScriptedModel:
    """Stands in for the model: answers each request with the scripted commands."""

    def __init__(self, by_utterance: dict[str, str]) -> None:
        self.by_utterance = by_utterance

    def complete(self, prompt: str, **_: object) -> Completion:
        request = prompt.split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
        return Completion(self.by_utterance[request], 20, 10, 10, 0.0)


def test_dev_cases_with_scripted_commands() -> None:
    path = SHARED / "eval" / "dev-cases.jsonl"
    if not path.exists():
        pytest.skip("shared dev cases not available")
    from twinspace.content.services import ContentServices

    cases = load_cases(path)
    model = ScriptedModel({c.utterance: SCRIPT[c.id] for c in cases})
    report = run_cases(cases, model, services_factory=ContentServices)
    failures = [(r.case.id, r.emitted, r.reply) for r in report.results if not r.passed]
    assert failures == []


def test_judge_rules() -> None:
    opened = [{"action": "panel.open", "args": {"content": "channel:a", "placement": {"surface": "w", "size": "medium"}}}]
    assert judge([{"action": "panel.open", "args": {"placement": {"surface": "w"}}}], opened, "")
    assert not judge([{"action": "panel.open", "args": {"placement": {"surface": "x"}}}], opened, "")
    assert not judge([], opened, "")
    assert judge([], [{"action": "guide.now", "args": {}}], "")  # read-only calls are ignored
    assert judge({"reply_contains": ["robot"]}, [], "Kids TV: Robot Town")
    assert not judge({"reply_contains": ["robot"]}, opened, "Robot Town")  # a question must not act
    assert judge({"any": [[], opened]}, opened, "")
