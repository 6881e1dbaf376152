"""Replies in the request's language, from Home Assistant's own response templates.

English replies stay twinspace's own: they say what changed ("The kitchen pendant is at
40%."). In the other template languages a template turn answers with the response HA's
intents define for the matched sentence (`responses.intents.<intent>.<response key>`, plus
twinspace's own in `sentences/<lang>.yaml` for intents HA has none for), rendered the way
HA renders them: Jinja in a sandbox, with the slots as said. Refusals made while grounding
the match use HA's error responses (`no_entity`, `no_domain_in_area`, ...). A refusal from
the hub (rights, ratings, a device that does not answer) keeps the hub's English words: they
name the rule or the device, and the hub has no translations.

One response describes the whole match: each step of it shows that response, and the turn's
reply says it once.
"""

from __future__ import annotations

import functools
from typing import Any, Optional

from jinja2 import ChainableUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from twinspace.assistant.templates.matcher import Match, responses_for
from twinspace.home.model import Home

# HA renders responses in a sandbox too: the templates come from a package, not from us.
_JINJA = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=False)


@functools.lru_cache(maxsize=512)
def _compiled(source: str):  # noqa: ANN202 - a jinja2 Template
    return _JINJA.from_string(source)


def render(source: str, context: dict[str, Any]) -> Optional[str]:
    """A response template rendered with `context`, or None when it cannot be."""
    try:
        text = " ".join(_compiled(source).render(**context).split())
    except TemplateError:
        return None
    return text or None


class Replies:
    """The replies of one template turn in a language other than English."""

    def __init__(self, match: Match, home: Home) -> None:
        self.match = match
        self.responses = responses_for(match.language)
        self.slots = self._slots(home)

    def _slots(self, home: Home) -> dict[str, Any]:
        """HA's `slots`: each slot's words as said, else its value; the area is the room's name."""
        slots: dict[str, Any] = {name: self.match.texts.get(name) or value for name, value in self.match.slots.items()}
        room = home.room(str(self.match.slots["area"])) if "area" in self.match.slots else None
        if room is not None and not self.match.texts.get("area"):
            slots["area"] = room.name
        return slots

    def applied(self) -> Optional[str]:
        """The match's response, for each step carried out (the turn's reply says it once)."""
        answers = self.responses.get("intents", {}).get(self.match.intent, {})
        key = self.match.result.response or "default"
        source = answers.get(key, answers.get("default"))
        return render(source, self._context()) if source is not None else None

    def refused(self, because: tuple[str, dict[str, Any]]) -> Optional[str]:
        """A grounding refusal in HA's words: an error response key and its values."""
        key, values = because
        source = self.responses.get("errors", {}).get(key)
        return render(source, {**values, **self._context()}) if source is not None else None

    def _context(self) -> dict[str, Any]:
        # `slots` as HA passes them (the words said); `values` for templates that choose by value
        return {"slots": self.slots, "values": dict(self.match.slots)}


def replies_for(match: Match, home: Home) -> Optional[Replies]:
    """How a template turn answers in its language; None for English (twinspace's own words)."""
    return None if match.language == "en" else Replies(match, home)


def not_understood(language: str) -> Optional[str]:
    """HA's "Sorry, I couldn't understand that" in the language; None for English."""
    source = responses_for(language).get("errors", {}).get("no_intent") if language != "en" else None
    return render(source, {}) if source is not None else None
