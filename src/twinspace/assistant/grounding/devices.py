"""Device grounding: the devices the words name, by name and kind, preferring the viewer's room.

Plural and all-words ("the lights", "every lamp", "both speakers") name every matching
device in their scope — the rooms named, the speaker's room for "here"/"in here"/"this room"
or a plain plural, the whole home for "all" without a room; singular ones name one, and a
tie asks which. Misheard names ("the ramp") go through `hearing` against the home's device
vocabulary. What the words mean is `device_control`'s, shared with the template layer.
"""

from __future__ import annotations

from typing import Optional, Union

from twinspace.assistant import device_control as dc
from twinspace.assistant.grounding.hearing import Reading, heard_alternatives, resolve_heard
from twinspace.assistant.grounding.rooms import room_missing, room_words, rooms_named
from twinspace.assistant.grounding.world import PHRASES, SYNONYMS, Refusal, World, content_words, similar, words
from twinspace.home.model import Device, Room


def find_devices(world: World, text: str, kind: Optional[str] = None) -> Union[list[Device], Refusal]:
    """Devices the words name, preferring exact names, then the viewer's room.

    Plural words ("the lights") may name several devices; singular ones name one. Words that
    name no device may be misheard ones ("the ramp"): see `_devices_heard`.
    """
    if not any(kind is None or d.kind == kind for _, d in world.home.devices()):
        return Refusal("there is no such device in this home")
    found = _pick_devices(world, text, _device_scores(world, text, kind), kind)
    if isinstance(found, Refusal) and _room_missing(world, text) is None:
        heard = _devices_heard(world, text, kind)
        if heard is not None:
            return heard
    return found


def device_names(d: Device) -> list[str]:
    """The words a device answers to: its name's, its kind's and what people call that kind."""
    name = content_words(d.name) + [SYNONYMS.get(d.kind, d.kind)]
    if d.kind == "tv":
        name += ["tv", "screen"]
    if d.kind == "speaker":
        name += ["speaker", "soundbar", "sound"]
    if d.kind == "light":
        name += ["light", "lamp"]
    name += [w for phrase in dc.kind_words(d) for w in content_words(phrase) if w not in name]  # plug, outlet
    return name


def names_word(w: str, name: list[str]) -> bool:
    return w in name or any(similar(w, n) > 0.84 for n in name if len(n) > 3)


def _device_scores(world: World, text: str, kind: Optional[str]) -> list[tuple[float, str, Device]]:
    """Devices with any word of the text in their names, best first."""
    ws, named = _words_and_rooms(world, text)
    home = world.home
    devices = [(r, d) for r, d in home.devices() if kind is None or d.kind == kind]
    said_room = set(ws) & set().union(*map(room_words, named))
    naming = [w for w in ws if w not in said_room] or ws  # "the study lamp" is the lamp, not the Study TV
    scored = []
    for room, d in devices:
        name = device_names(d)
        hit = [w for w in naming if names_word(w, name)]
        if not hit or (named and room not in named and not said_room & set(name)):
            continue  # a room was named: only its devices (or one with that room in its name) are meant
        # The words of its name count most; being in the viewer's room breaks ties.
        score = 2 * len(hit) / max(len(ws), 1) + len(hit) / (len(name) + 1) * 0.5
        if named:
            score += 1.0 if room in named else -2.0
        elif world.room and room.id == world.room:
            score += 0.3
        scored.append((score, d.id, d))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored


def _words_and_rooms(world: World, text: str) -> tuple[list[str], list[Room]]:
    """The words that name devices, and the rooms the text names ("here" is the speaker's)."""
    here = dc.names_here(text)
    ws = content_words(dc.without_here(text))
    rooms = rooms_named(world, ws)
    if here and world.room_obj is not None and world.room_obj not in rooms:
        rooms.append(world.room_obj)
    return ws, rooms


_ALL_WORDS = frozenset({"all", "every", "everything", "each", "both", "whole", "devices", "device", "thing", "things"})


def _group(world: World, text: str, kind: Optional[str]) -> Union[list[Device], Refusal]:
    """Every device the group words name, in their scope (see the module docstring)."""
    ws, rooms = _words_and_rooms(world, text)
    said_room = set().union(*map(room_words, rooms))
    naming = [w for w in ws if w not in said_room and w not in _ALL_WORDS]
    matching = []
    for room, d in world.home.devices():
        if (kind is not None and d.kind != kind) or d.kind in ("headset", "glasses"):
            continue
        name = device_names(d)
        hits = sum(names_word(w, name) for w in naming)
        if naming and hits == 0:
            continue
        matching.append((hits, room, d))
    if not matching:
        return _not_found(world, text)
    best = max(h for h, _, _ in matching)
    matching = [(room, d) for h, room, d in matching if h == best]
    if rooms:
        scope = [d for room, d in matching if room in rooms]
    elif set(ws) & {"all", "every", "everything", "whole"}:
        scope = [d for _, d in matching]  # "all the lights": the whole home
    else:
        here = [d for room, d in matching if room.id == world.room]
        scope = here or [d for _, d in matching]  # "the lights": the ones here, if any
    if dc.lamps_only(text):  # "both lamps" are the lamps, where some of the lights there are lamps
        scope = [d for d in scope if "lamp" in d.name.lower()] or scope
    return scope or _not_found(world, text)


def _is_plural(text: str) -> bool:
    return dc.is_group(text)


def _tied(scored: list[tuple[float, str, Device]]) -> list[Device]:
    return [d for s, _, d in scored if s >= scored[0][0] - 1e-9] if scored else []


def _room_missing(world: World, text: str) -> Optional[str]:
    return room_missing(world, content_words(text), {n for _, d in world.home.devices() for n in device_names(d)})


def _not_found(world: World, text: str) -> Refusal:
    named = rooms_named(world, content_words(text))
    where = named[0] if named else world.room_obj
    room = f" in the {where.name.lower()}" if where else ""
    return Refusal(f"I can't find {' '.join(words(text))!r}{room}")


def _pick_devices(world: World, text: str, scored: list[tuple[float, str, Device]],
                  kind: Optional[str] = None) -> Union[list[Device], Refusal]:
    missing = _room_missing(world, text)
    if missing is not None:  # "the bathroom light" where there is no bathroom: not some other light
        return Refusal(f"I can't find {' '.join(words(text))!r}: there's no {missing} in this home")
    if dc.is_group(text):
        return _group(world, text, kind)
    if not scored:
        return _not_found(world, text)
    tied = _tied(scored)
    if _is_plural(text):
        return tied
    if len(tied) > 1:
        return Refusal(f"which one: {', '.join(d.name for d in tied)}?")
    return [scored[0][2]]


def find_screen(world: World, text: str) -> Union[Device, Refusal]:
    """The TV the words mean: the one named, the named room's, the viewer's room's, else the
    screen nearest the viewer ("play it on the TV" from a room without one)."""
    found = find_devices(world, text, kind="tv")
    if isinstance(found, list):
        return found[0] if len(found) == 1 else _nearest(world, found) or found[0]
    tied = _tied(_device_scores(world, text, "tv"))
    if found.question or len(tied) < 2 or rooms_named(world, content_words(text)):
        return found
    return _nearest(world, tied) or found


def _nearest(world: World, devices: list[Device]) -> Optional[Device]:
    """The device closest to the viewer, when there is a viewer and the devices have places."""
    if world.viewer is None or any(d.pose is None for d in devices):
        return None
    eye = world.viewer.position
    return min(devices, key=lambda d: sum((a - b) ** 2 for a, b in zip(d.pose.position, eye)))  # type: ignore[union-attr]


def _device_vocabulary(world: World, kind: Optional[str]) -> set[str]:
    vocab = {"lights", "lamps", "speakers", "screens"}
    for _, d in world.home.devices():
        if kind is None or d.kind == kind:
            names = device_names(d)
            vocab.update(names)
            if len(content_words(d.name)) > 1:
                vocab.add(" ".join(content_words(d.name)))  # the whole name, heard as one word: "floorlamp"
    for r in world.home.rooms:
        vocab.update(content_words(r.name))
    vocab.update(k for k, v in SYNONYMS.items() if v in vocab)
    vocab.update(w for phrase in PHRASES for w in phrase.split())
    return vocab


def _device_title(d: Device) -> str:
    """'the floor lamp', 'the living room TV'."""
    name = d.name[:1].lower() + d.name[1:] if d.name[1:2].islower() else d.name
    return f"the {name}"


def _devices_heard(world: World, text: str, kind: Optional[str]) -> Optional[Union[list[Device], Refusal]]:
    """Devices that misheard words were meant to name: "the ramp" is the lamp, when a lamp is
    the clear winner and there is one to mean; else a question naming the candidates."""
    ws = words(text)
    vocab = _device_vocabulary(world, kind)
    # Words the name matching already takes (near spellings of names) are not misheard.
    names = {n for _, d in world.home.devices() for n in device_names(d)}
    heard = heard_alternatives(ws, vocab, keep={w for w in ws if names_word(w, list(names))})
    if heard is None:
        return None
    fixes, readings = heard

    def resolve(reading: Reading) -> list[Device]:
        text = " ".join(reading.words)
        scored = _device_scores(world, text, kind)
        if not scored:
            return []
        return _tied(scored) if _is_plural(text) or len(_tied(scored)) > 1 else [scored[0][2]]

    found = resolve_heard(fixes, readings, resolve, lambda d: d.id, _device_title)
    if isinstance(found, list) or found is None:
        return found
    # One sure reading naming several devices, e.g. "the ramps" for the lamps: those are meant.
    if len(readings) == 1 and readings[0].close and _is_plural(" ".join(readings[0].words)):
        return resolve(readings[0])
    return found
