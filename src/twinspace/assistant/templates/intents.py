"""Home Assistant intents as registry actions, grounded in the live home.

A template match names devices by phrase (`name`), rooms by id (`area`, the speaker's room
when the sentence names none) and kinds by HA domain. `plan_match` turns it into the same
planner steps the model layer makes, or None when the match is not one twinspace carries
out (timers, weather, covers, a title the catalogue lacks): then the model layer answers.
A match that grounds but finds nothing to act on ("the lights" in a room without lights)
is answered here, with a refusal, so it never reaches a model that might guess.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Optional

from twinspace.assistant import device_control as dc
from twinspace.assistant import grounding as g
from twinspace.assistant.ir import Call
from twinspace.assistant import planner
from twinspace.assistant.planner import Clarify, Step, refuse
from twinspace.assistant.templates.matcher import DOMAINS, INTENTS, Match, device_phrases
from twinspace.content.playback import sessions
from twinspace.home.model import Device

Planned = Optional[list[Step]]
HANDLED_DOMAINS = frozenset({"light", "switch", "media_player"})


def _domain(device: Device) -> str:
    return DOMAINS[dc.kind_of(device)]


GENERIC_LIGHT_WORDS = frozenset({"light", "lamp"})  # names that are also the kind


def _explicit_area(match: Match) -> Optional[str]:
    """The room the sentence named, not the speaker's room taken from context."""
    combination = (match.result.intent_metadata or {}).get("slot_combination", "")
    return match.slots.get("area") if "area" in combination else None


def _title(device: Device) -> str:
    return f"the {device.name[:1].lower() + device.name[1:] if device.name[1:2].islower() else device.name}"


def _ask_which(devices: list[Device], phrase: str, call: Call) -> Step:
    """A singular name that several devices answer to: ask, and go on with the answer."""
    names = [_title(d) for d in devices]
    question = f"Which one: {', '.join(names[:-1])} or {names[-1]}?"
    candidates = tuple(g.Candidate(_title(d), d.name, d.id) for d in devices)
    return Step(say=question, refused=True, clarify=Clarify(call, "what", phrase, candidates),
                because=("which_one", {"entity": phrase, "names": [d.name for d in devices]}))


def targets(world: g.World, match: Match, domains: frozenset[str], call: Call) -> tuple[list[Device], Optional[Step]]:
    """The devices a match acts on, or a step that asks or refuses instead."""
    home = world.home
    devices = [(r, d) for r, d in home.devices() if d.kind not in ("headset", "glasses") and _domain(d) in domains]
    area = match.slots.get("area")
    if "name" in match.slots:
        phrase = str(match.slots["name"]).lower()
        named = [(r, d) for r, d in devices if phrase in (p.lower() for p in device_phrases(home, d))]
        explicit = _explicit_area(match)
        if explicit:
            named = [(r, d) for r, d in named if r.id == explicit]
            if not named and phrase in GENERIC_LIGHT_WORDS:
                # "the kitchen light" where the kitchen's one light is called "Kitchen pendant":
                # the word names the kind, and the room says which.
                named = [(r, d) for r, d in devices if r.id == explicit and d.kind == "light"]
        elif len(named) > 1 and any(r.id == world.room for r, _ in named):
            named = [(r, d) for r, d in named if r.id == world.room]  # the one here, before others
        found = [d for _, d in named]
        if not found:
            room = home.room(explicit) if explicit else None
            where = f"the {room.name.lower()}" if room else "this home"
            said = match.texts.get("name") or phrase
            return [], _because(refuse(f"there is no {said} in {where}"),
                                ("no_entity_in_area", {"entity": said, "area": room.name}) if room
                                else ("no_entity", {"entity": said}))
        if len(found) > 1 and not dc.is_group(match.result.original_text or ""):
            return [], _ask_which(found, phrase, call)
        return found, None
    domain = match.slots.get("domain")
    if domain not in domains:
        return [], None
    in_area = [d for r, d in devices if _domain(d) == domain and (area is None or r.id == area)]
    if domain == "light" and dc.lamps_only(match.result.original_text or ""):
        # "the lamps" where some lights are lamps; where none are, people mean the lights.
        in_area = [d for d in in_area if "lamp" in d.name.lower()] or in_area
    if not in_area:
        kind = {"light": "lights", "switch": "plugs", "media_player": "media players"}[domain]
        room = home.room(area) if area else None
        where = f"in the {room.name.lower()}" if room else "in this home"
        return [], _because(refuse(f"there are no {kind} {where}"),
                            ("no_domain_in_area", {"domain": domain, "area": room.name}) if room
                            else ("no_domain", {"domain": domain}))
    return in_area, None


def _because(step: Step, because: tuple[str, dict[str, Any]]) -> Step:
    return replace(step, because=because)


def _power(on: bool) -> Callable[[g.World, Match], Planned]:
    def plan(world: g.World, match: Match) -> Planned:
        if "name" not in match.slots and match.slots.get("domain") not in HANDLED_DOMAINS:
            return None
        call = Call("power", {"what": str(match.slots.get("name", "")), "on": "yes" if on else "no"})
        found, instead = targets(world, match, HANDLED_DOMAINS, call)
        if instead is not None:
            return [instead]
        return [Step("device.power", {"device": d.id, "on": on}) for d in found] or None

    return plan


def _light_set(world: g.World, match: Match) -> Planned:
    if "brightness" not in match.slots:
        return None  # colour and colour temperature: no such action here
    level = int(round(float(match.slots["brightness"])))
    call = Call("light", {"what": str(match.slots.get("name", "")), "level": f"{level}%"})
    found, instead = targets(world, match, frozenset({"light"}), call)
    if instead is not None:
        return [instead]
    return [Step("device.light", {"device": d.id, "brightness": level}) for d in found] or None


def _light_step(world: g.World, match: Match) -> Planned:
    change = dc.step("brightness", match.slots["direction"], match.slots.get("size", "default"))
    word = "brighter" if match.slots["direction"] == "up" else "dimmer"
    call = Call("light", {"what": str(match.slots.get("name", "")), "level": word})
    found, instead = targets(world, match, frozenset({"light"}), call)
    if instead is not None:
        return [instead]
    return [Step("device.light", {"device": d.id, "delta": change.delta}) for d in found] or None


def _media_target(world: g.World, match: Match, wanted: Optional[bool] = None) -> Any:
    """The target a media intent names (a device by name or room), a step that asks or
    refuses instead, "" for the action's own default (the one session in question), or None
    when several sessions could be meant and the words may say which: the model's to read.
    `wanted` is True for playing sessions (pause), False for paused ones (resume)."""
    if "name" in match.slots or _explicit_area(match):
        call = Call("pause", {"what": str(match.slots.get("name", ""))})
        if "name" not in match.slots:
            match = replace(match, slots={**match.slots, "domain": "media_player"})
        found, instead = targets(world, match, frozenset({"media_player"}), call)
        if instead is not None:
            return instead
        playing = [d for d in found if d.id in world.home.playback]
        return (playing or found)[0].id
    found = sessions(world.home)
    if world.focus in found:
        return ""
    candidates = [t for t, s in found.items() if wanted is None or s.playing == wanted]
    return "" if len(candidates) <= 1 else None


def _target_args(target: str) -> dict[str, Any]:
    return {"target": target} if target else {}


def _transport(action: str, wanted: bool) -> Callable[[g.World, Match], Planned]:
    def plan(world: g.World, match: Match) -> Planned:
        target = _media_target(world, match, wanted)
        if target is None or isinstance(target, Step):
            return None if target is None else [target]
        return [Step(action, _target_args(target))]

    return plan


def _volume(world: g.World, match: Match) -> Planned:
    target = _media_target(world, match)
    if target is None or isinstance(target, Step):
        return None if target is None else [target]
    args = _target_args(target)
    if match.intent == "HassMediaPlayerMute":
        args["mute"] = True
    elif match.intent == "HassMediaPlayerUnmute":
        args["mute"] = False
    elif match.intent == "HassSetVolume":
        args["level"] = int(round(float(match.slots["volume_level"])))
    else:
        value = match.slots["volume_step"]
        if value in ("up", "down"):
            args["delta"] = dc.step("volume", value, match.slots.get("size", "default")).delta
        else:
            args["delta"] = int(round(float(value)))
    return [Step("playback.volume", args)]


def _search_and_play(world: g.World, match: Match) -> Planned:
    """"play Dune on the kitchen TV": a named screen or a named room's. Without one, where
    to show it (a panel, the TV in front of the speaker) is the model layer's to decide."""
    if "name" not in match.slots and not _explicit_area(match):
        return None
    found = g.find_content(world, str(match.slots.get("search_query", "")))
    if not isinstance(found, g.ContentMatch):
        return None
    target = _media_target(world, match)
    if not target or isinstance(target, Step):
        return None  # "on the TV" with several: the nearest screen is the model layer's to choose
    if found.kind == "app":  # "put YouTube on the telly": an app is launched, not played
        return [Step("app.launch", {"app": found.ref.removeprefix("app:"), "device": target})]
    return [Step("playback.play", {"content": found.ref, "target": target})]


def _watch_place(match: Match) -> Optional[str]:
    """The words that named the other screen: a device's name, a wearable, "this"."""
    for slot in ("name", "wearable", "this_word"):
        if slot in match.slots:
            return match.texts.get(slot) or str(match.slots[slot])
    return None


def _watch_together(world: g.World, match: Match) -> Planned:
    """The same steps as the model layer's `together` (planner), from the template's words."""
    place = _watch_place(match)
    if place is None:
        return None
    what = match.texts.get("watch_what") or None
    return planner.plan(world, Call("together", {"with": place, **({"what": what} if what else {})}))


def _watch_apart(world: g.World, match: Match) -> Planned:
    place = _watch_place(match)
    return planner.plan(world, Call("apart", {"what": place} if place else {}))


def _nevermind(world: g.World, match: Match) -> Planned:
    return [Step(say="OK.")]


HANDLERS: dict[str, Callable[[g.World, Match], Planned]] = {
    "HassTurnOn": _power(True), "HassTurnOff": _power(False), "HassLightSet": _light_set,
    "TwinspaceLightStep": _light_step, "HassMediaPause": _transport("playback.pause", True),
    "HassMediaUnpause": _transport("playback.resume", False), "HassSetVolume": _volume,
    "HassSetVolumeRelative": _volume, "HassMediaPlayerMute": _volume, "HassMediaPlayerUnmute": _volume,
    "HassMediaSearchAndPlay": _search_and_play, "HassNevermind": _nevermind,
    "TwinspaceWatchTogether": _watch_together, "TwinspaceWatchApart": _watch_apart,
}


assert set(HANDLERS) == INTENTS, "matcher.INTENTS lists the intents handled here"


def plan_match(world: g.World, match: Match) -> Planned:
    """The steps a template match asks for, or None when the model layer should answer."""
    handler = HANDLERS.get(match.intent)
    return handler(world, match) if handler is not None else None
