"""Place grounding: where the words put something — a surface or side for the placement
engine, a TV, a wearable, or an open panel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, Union

from twinspace.assistant.grounding.devices import find_screen
from twinspace.assistant.grounding.rooms import room_missing, rooms_named
from twinspace.assistant.grounding.targets import find_target
from twinspace.assistant.grounding.wearables import find_wearable
from twinspace.assistant.grounding.world import (FILLER, SCREEN_WORDS, SIDE_WORDS, SURFACE_NOUNS, Refusal, World,
                                                 content_words, words)
from twinspace.home.model import Room


@dataclass(frozen=True)
class Place:
    """Where the words put something: a placement request, a device, a wearable or a panel."""

    placement: Optional[dict[str, Any]] = None
    device: Optional[str] = None
    wearable: Optional[str] = None
    panel: Optional[str] = None


def find_place(world: World, text: Optional[str]) -> Union[Place, Refusal]:
    if text is None:
        return Place(placement={})
    ws = words(text)
    wset = set(ws)
    wearable = find_wearable(world, text)
    if wearable is not None:
        return Place(wearable=wearable.id)
    if wset & SCREEN_WORDS and not wset & {"wall", "beside", "next", "above", "below", "under"}:
        screen = find_screen(world, text)
        if isinstance(screen, Refusal):
            return screen if screen.question or "in this home" in screen.reason else _no_tv(world, text)
        return Place(device=screen.id)
    if "panel" in wset or ("window" in wset and world.home.panels):
        target = find_target(world, text, panels_only=True)
        if not isinstance(target, Refusal):
            return Place(panel=target)
    room = world.room_obj
    named_surface = _surface_named(room, ws) if room is not None else None
    if named_surface is not None:
        return Place(placement={"surface": named_surface})
    # A room named in the words must be the viewer's room (placement works where they are);
    # another room's TV plays what is asked there ("play it in the kitchen").
    said = [w for w in ws if w not in FILLER and w not in SIDE_WORDS and w not in SURFACE_NOUNS
            and w not in ("to", "on", "of", "in", "hand", "side", "me", "next", "front", "wall")]
    missing = room_missing(world, said)
    if missing is not None:
        return Refusal(f"there is no {missing} in this home")
    named = rooms_named(world, said)
    if named and (room is None or room not in named):
        other = named[0]
        if not wset & (set(SURFACE_NOUNS) | set(SIDE_WORDS)):
            tv = next((d for d in other.devices if d.kind == "tv"), None)
            if tv is not None:
                return Place(device=tv.id)
            return Refusal(f"there's no TV in the {other.name.lower()}, and I can only place panels in the room "
                           "you're in")
        return Refusal(f"you're in the {room.name.lower() if room else 'another room'}, not the {other.name.lower()}; "
                       "I can only place panels in the room you're in")
    if named and not wset & (set(SURFACE_NOUNS) | set(SIDE_WORDS) | {"here", "next", "front"}):
        return Place(placement={})  # "in the living room", where the viewer is: in front of them
    side = next((SIDE_WORDS[w] for w in ws if w in SIDE_WORDS), None)
    if side is None and ("front" in wset or wset >= {"in", "front"}):
        side = "front"
    if wset & {"here", "next", "me"} and side is None and not wset & set(SURFACE_NOUNS):
        return Place(placement={"floating": True} if "next" in wset or "here" in wset else {})
    label = next((SURFACE_NOUNS[w] for w in ws if w in SURFACE_NOUNS), None)
    placement: dict[str, Any] = {}
    if label:
        placement["surface"] = label
    if side:
        placement["side"] = side
    if not placement:
        return Refusal(f"I don't know where {' '.join(ws)!r} is")
    return Place(placement=placement)


def _no_tv(world: World, text: str) -> Refusal:
    named = rooms_named(world, content_words(text))
    where = named[0] if named else world.room_obj
    return Refusal(f"there is no TV {'in the ' + where.name.lower() if where else 'here'}")


def _surface_named(room: Room, ws: list[str]) -> Optional[str]:
    """A surface of the room named by its own words ("coffee table", "kitchen counter")."""
    best, score = None, 0.0
    for s in room.surfaces:
        name = [w for w in re.split(r"[/_\-\s]+", s.id.lower()) if w and w != room.id.lower()]
        hit = [w for w in ws if w in name and w not in SIDE_WORDS]
        if hit and len(hit) / len(name) > score and not set(hit) <= {"wall", "floor"}:
            best, score = s.id, len(hit) / len(name)
    side_given = any(w in SIDE_WORDS for w in ws)
    return best if best is not None and (score >= 0.5 and (not side_given or score == 1.0)) else None
