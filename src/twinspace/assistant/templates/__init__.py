"""The template layer: Home Assistant's sentence templates in front of the model.

`read(world, utterance)` is the whole surface: a `Reading` (the match and the planned steps)
when the templates cover the request and every slot grounds in the home, else None and the
model layer answers. See `matcher` (hassil, slot lists from the home), `intents` (HA
intents as registry actions) and `responses` (replies in the request's language).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from twinspace.assistant import grounding as g
from twinspace.assistant.planner import Step
from twinspace.assistant.templates.intents import plan_match
from twinspace.assistant.templates.matcher import LANGUAGES, Match, language_of, recognize, warm
from twinspace.assistant.templates.responses import Replies, not_understood, replies_for

__all__ = ["LANGUAGES", "Reading", "Replies", "language_of", "not_understood", "read", "warm"]


@dataclass(frozen=True)
class Reading:
    match: Match
    steps: list[Step]
    replies: Optional[Replies]  # the replies in the request's language; None for English


def read(world: g.World, utterance: str) -> Optional[Reading]:
    """The template layer's answer to the utterance, or None when the model should answer."""
    match = recognize(utterance, world.home, world.room)
    if match is None:
        return None
    steps = plan_match(world, match)
    return Reading(match, steps, replies_for(match, world.home)) if steps else None
