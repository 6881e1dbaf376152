"""From the model's commands to actions of the registry, grounded in the live home.

Each command becomes one or more steps: an action with resolved arguments, an answer to a
question, or a refusal that says why. Choosing between actions is done here with the
home's state, not by the model: "put X on the TV" is `playback.play` on the TV, an app on
the TV is `app.launch`, and moving what plays onto a headset is `playback.handoff`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Optional, Union

from twinspace.assistant import device_control as dc
from twinspace.assistant import grounding as g
from twinspace.assistant.grounding.rooms import room_missing
from twinspace.assistant import ir
from twinspace.assistant.ir import Call, words
from twinspace.assistant.numbers import parse_duration, parse_percent, parse_time_of_day
from twinspace.content import playback as rules


@dataclass(frozen=True)
class Clarify:
    """What a question about misheard words needs to go on once answered: the command, the
    slot whose words were misheard, and the candidates the question named."""

    call: Optional[Call]
    slot: str
    heard: str
    candidates: tuple[g.Candidate, ...]

    def resume(self, chosen: g.Candidate) -> Call:
        """The command again, with the chosen candidate's words in place of the misheard ones."""
        assert self.call is not None
        return Call(self.call.verb, {**self.call.slots, self.slot: chosen.words})


@dataclass
class Step:
    action: Optional[str] = None  # a registry action, or None for a spoken answer only
    args: dict[str, Any] = field(default_factory=dict)
    say: Optional[str] = None  # an answer or refusal, when there is no action to report
    refused: bool = False
    undo: bool = False
    clarify: Optional[Clarify] = None  # the refusal asks which was meant; how to go on when told
    # why it was refused as an error response key and its values, for replies in other
    # languages (templates/responses.py); `say` is the English
    because: Optional[tuple[str, dict[str, Any]]] = None


Plan = list[Step]
VOLUME_STEP = 10


def refuse(reason: Union[str, g.Refusal]) -> Step:
    text = reason.reason if isinstance(reason, g.Refusal) else reason
    step = Step(say=text[0].upper() + text[1:] + ("" if text.endswith(("?", ".")) else "."), refused=True)
    if isinstance(reason, g.Refusal) and reason.question and reason.candidates:
        step.clarify = Clarify(None, "", reason.heard, reason.candidates)  # `plan` knows the command
    return step


def reread(world: g.World, calls: list[Call]) -> list[Call]:
    """The model's commands, checked against the request before planning.

    A title is data: "play Turn Off The Lights" names a film, so a command the model made of
    the words inside that title ("power the lights off") becomes playing the title. And a
    place the model split off into a command of its own ("show the cooking channel, make it
    big, on the right" read as resizing "on the right") goes back to the show it belongs to.
    """
    out: list[Call] = []
    said = g.words(world.utterance)
    calls = _join_split_titles(world, said, calls)
    titles = [(s, e, m) for s, e, m in g.titles_in(world, world.utterance)
              if e - s >= 2 and _play_verb_before(world.utterance, s)] if world.utterance else []
    for call in calls:
        call = _place_not_copied(world, said, call)
        spans = [v for k, v in call.slots.items() if ir.VERBS[call.verb][k] == ir.SPAN]
        inside = next(((s, e) for s, e, _ in titles if call.verb not in _CONTENT_VERBS
                       and all(set(g.words(v)) <= set(said[s:e]) for v in spans)), None)
        if inside is not None:
            call = Call("show", {"what": " ".join(said[inside[0]:inside[1]]), **_place_after(said, inside[1])})
        shown = next((c for c in reversed(out) if c.verb == "show" and not c.get("where")), None)
        if (shown is not None and call.verb in ("resize", "move") and call.get("what")
                and words(call.slots["what"])[:1] in (["on"], ["to"], ["onto"])):
            out[out.index(shown)] = Call("show", {**shown.slots, "where": call.slots["what"]})
            continue
        if call not in out:
            out.append(call)
    return _without_conflicts(world, out)


def _place_not_copied(world: g.World, said: list[str], call: Call) -> Call:
    """A place made of the thing's own words ("show the news where='the news'", "move a quick
    stretch where='stretch'") is the model copying twice, not a place: the place is the one the
    request says after its last "on"/"to" ("... on my left"), or none, and a move to a piece
    of the thing's words is showing the thing."""
    what, where = call.get("what"), call.get("where")
    if not what or not where or not set(g.words(where)) <= set(g.words(what)):
        return call
    if call.verb == "move" and g.words(where) == g.words(what):
        return call  # the same words twice say nothing about which is the thing: left to refuse
    slots = {k: v for k, v in call.slots.items() if k != "where"}
    at = max((i for i, w in enumerate(said) if w in ("on", "to", "onto")), default=None)
    tail = " ".join(said[at + 1:at + 1 + ir.MAX_SPAN_WORDS]) if at is not None else ""
    if tail and not set(g.words(tail)) & set(g.words(what)):
        place = g.find_place(world, tail)
        if not isinstance(place, g.Refusal) and place.placement:
            slots["where"] = tail
    return Call("show" if call.verb == "move" else call.verb, slots)


def _join_split_titles(world: g.World, said: list[str], calls: list[Call]) -> list[Call]:
    """Commands that each hold a piece of one whole title said in the request ("unpause Maple &
    Ash" read as resuming "maple" and pausing "ash") are one command on the whole title, the
    first one's: a title is one thing, and its words are not several requests (nor a thing
    and a place)."""
    if not world.utterance:
        return calls
    for s, e, _ in g.titles_in(world, world.utterance):
        title = said[s:e]
        named = set(g.content_words(" ".join(title)))
        # One command's thing and place both inside the title ("show 'the biscuit tin' where=
        # 'detectives'"): the title is the thing, and no place was said.
        calls = [Call("show" if c.verb == "move" else c.verb,
                      {**{k: v for k, v in c.slots.items() if k != "where"}, "what": " ".join(title)})
                 if c.get("what") and c.get("where") and _inside(c.slots["what"], named)
                 and _inside(c.slots["where"], named, strictly=False) else c for c in calls]
        pieces = [c for c in calls if c.get("what") and _inside(c.slots["what"], named)]
        if len(pieces) >= 2:
            first = pieces[0]
            joined = Call(first.verb, {**first.slots, "what": " ".join(title)})
            calls = [joined if c is first else c for c in calls if c is first or c not in pieces]
    return calls


def _inside(span: str, title: set[str], strictly: bool = True) -> bool:
    """Whether the span's content words are (a part of) the title's."""
    ws = set(g.content_words(span))
    return bool(ws) and (ws < title if strictly else ws <= title)


# Commands of one family on the same target set the same thing: only one can be meant.
_FAMILIES = {"pause": "transport", "resume": "transport", "volume": "volume", "power": "power",
             "light": "light", "resize": "resize"}


def _without_conflicts(world: g.World, calls: list[Call]) -> list[Call]:
    """Two commands that set the same thing on the same target ("volume change=up ; volume
    level=15" for "quieter, like 15", pausing and resuming one panel) contradict each other:
    keep the one with a number the request says, else the first."""
    keyed = [(_conflict_key(world, c), c) for c in calls]
    out: list[Call] = []
    for key, call in keyed:
        if key is None:
            out.append(call)
            continue
        rivals = [c for k, c in keyed if k == key]
        keep = next((c for c in rivals if _says_number(c)), rivals[0])
        if call is keep:
            out.append(call)
    return out


def _conflict_key(world: g.World, call: Call) -> Optional[tuple[str, Any]]:
    family = _FAMILIES.get(call.verb)
    if family is None:
        return None
    what = call.get("what")
    if family in ("power", "light"):
        devices = g.find_devices(world, what or "the lights", kind="light" if family == "light" else None)
        return None if isinstance(devices, g.Refusal) else (family, frozenset(d.id for d in devices))
    target = g.find_target(world, what, panels_only=family == "resize")
    return None if isinstance(target, g.Refusal) else (family, target)


def _says_number(call: Call) -> bool:
    level = call.get("level")
    return level is not None and parse_percent(level) is not None


def _place_after(said: list[str], end: int) -> dict[str, str]:
    """The place the request gives after a title ("... on the telly"), as a `where` slot."""
    rest = said[end:]
    if len(rest) >= 2 and rest[0] in ("on", "onto", "in", "to"):
        return {"where": " ".join(rest[1:ir.MAX_SPAN_WORDS + 1])}
    return {}


_CONTENT_VERBS = frozenset({"show", "switch", "resume", "ask_on", "ask_find", "ask_playing"})  # read titles already


def plan(world: g.World, call: Call) -> Plan:
    handler = _HANDLERS.get(call.verb)
    if handler is None:
        return [refuse("I can't help with that here")]
    steps = handler(world, call)
    for step in steps:
        if step.clarify is not None:
            slot = _slot_heard(call, step.clarify.heard)
            step.clarify = replace(step.clarify, call=call, slot=slot) if slot else None
    return steps


def _slot_heard(call: Call, heard: str) -> Optional[str]:
    """The slot whose words hold the misheard ones (as said, or as grounding reads them)."""
    ws = set(heard.split())
    for slot, value in call.slots.items():
        if ws <= set(g.words(value)) or ws <= set(g.content_words(value)):
            return slot
    return None


# --- answers to a question ---------------------------------------------------------------
# "Did you mean the floor lamp or the ceiling light?" is answered by naming one ("the floor
# lamp", "floor", "the first one"), by "yes" when one was offered, or by declining. Anything
# else is a new request, so matching is strict: every word must belong to the answer.

DECLINED = "declined"
_ANSWER_FILLER = frozenset("""the a an one please i mean meant it it's its that this was is oh um uh er
    sorry actually thanks thank you ok okay just yes yeah no i'm""".split())
_YES = frozenset("yes yeah yep yup sure correct right ok okay please that one it do is".split())
_NO = frozenset("no nope nah cancel never mind nevermind neither forget it none of them thanks thank you".split())
_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "last": -1}


def answer(clarify: Clarify, utterance: str) -> Union[g.Candidate, str, None]:
    """The candidate the utterance picks, DECLINED, or None when it doesn't answer the question."""
    ws = g.words(utterance)
    if not ws:
        return None
    candidates = clarify.candidates
    if set(ws) <= _YES and set(ws) & {"yes", "yeah", "yep", "yup", "sure", "correct", "right"}:
        return candidates[0] if len(candidates) == 1 else None
    ordinals = [_ORDINALS[w] for w in ws if w in _ORDINALS]
    rest = [w for w in ws if w not in _ANSWER_FILLER and w not in _ORDINALS]
    if len(ordinals) == 1 and not rest:  # "the second one"
        return candidates[ordinals[0]] if ordinals[0] < len(candidates) else None
    said = set(g.content_words(" ".join(rest)))
    if said:
        named = [c for c in candidates if said <= set(g.content_words(f"{c.name} {c.words}"))]
        if len(named) == 1:
            return named[0]
    if set(ws) <= _NO and set(ws) & {"no", "nope", "nah", "cancel", "never", "nevermind", "neither", "forget", "none"}:
        return DECLINED
    return None


def _show(world: g.World, call: Call) -> Plan:
    what = call.slots["what"]
    if " ".join(words(what)) in g.DEICTIC and call.get("where"):  # "play it in the kitchen": what plays, there
        return _move(world, Call("move", {"what": what, "where": call.slots["where"]}))
    match = g.find_content(world, what)
    if isinstance(match, g.Refusal) and not match.question:
        match = _title_elsewhere(world, call) or match
    if isinstance(match, g.Refusal):
        devices = g.find_devices(world, what) if not match.question and not call.get("where") else None
        if isinstance(devices, list) and set(words(what)) & set(g.content_words(" ".join(d.name for d in devices))):
            return [Step("device.power", {"device": d.id, "on": True}) for d in devices]  # "put the soundbar on"
        return [refuse(match)]
    place = g.find_place(world, call.get("where"))
    if isinstance(place, g.Refusal):
        return [refuse(place)]
    if place.device or place.wearable:
        device = place.device or place.wearable
        if match.kind == "app":
            return [Step("app.launch", {"app": match.ref.split(":", 1)[1], "device": device})]
        source = next((t for t, p in world.home.playback.items() if p.content == match.ref and t != device), None)
        if source is not None:  # already on elsewhere: carry it over rather than start again
            return [Step("playback.handoff", {"target": source, "to": device})]
        return [Step("playback.play", {"content": match.ref, "target": device})]
    if place.panel:
        return [Step("playback.play", {"content": match.ref, "target": place.panel})]
    placement = dict(place.placement or {})
    size = size_said(world.utterance, besides=what) or call.get("size")
    if size:
        placement["size"] = size
    # Already open somewhere and given a new place: move it rather than open a twin.
    existing = next((p for p in world.home.panels if p.content == match.ref), None)
    if existing is not None and call.get("where"):
        return [Step("panel.move", {"panel": existing.id, "placement": placement})]
    if existing is not None and not call.get("size"):  # "play Tide and Time" with it open: that panel, not a twin
        return [Step("playback.resume", {"target": existing.id})]
    args: dict[str, Any] = {"content": match.ref}
    if placement:
        args["placement"] = placement
    return [Step("panel.open", args)]


def _title_elsewhere(world: g.World, call: Call) -> Optional[g.ContentMatch]:
    """The one whole title the request says outside the command's place, when the words the
    model copied for it name nothing ("chuck Reel Four on the wall" read as showing "chuck")."""
    if not world.utterance:
        return None
    place = set(g.words(call.get("where") or ""))
    said = g.words(world.utterance)
    titles = [m for s, e, m in g.titles_in(world, world.utterance) if not set(said[s:e]) <= place]
    return titles[0] if len({m.ref for m in titles}) == 1 else None


def _switch(world: g.World, call: Call) -> Plan:
    match = g.find_content(world, call.slots["what"])
    if isinstance(match, g.Refusal):
        return [refuse(match)]
    where = call.get("where")
    if where:
        place = g.find_place(world, where)
        if not isinstance(place, g.Refusal) and (place.device or place.panel or place.wearable):
            target = place.device or place.panel or place.wearable
        else:
            found = g.find_target(world, where)
            if isinstance(found, g.Refusal):
                return [refuse(found)]
            target = found
    else:
        found = g.default_target(world)
        if isinstance(found, g.Refusal):  # nothing to switch: open it instead
            return [Step("panel.open", {"content": match.ref})]
        target = found
    if match.kind == "app" and world.home.device(target):
        return [Step("app.launch", {"app": match.ref.split(":", 1)[1], "device": target})]
    return [Step("playback.play", {"content": match.ref, "target": target})]


def _move(world: g.World, call: Call) -> Plan:
    place = g.find_place(world, call.slots["where"])
    if isinstance(place, g.Refusal):
        return [refuse(place)]
    what = call.get("what")
    target = g.find_target(world, what)
    if isinstance(target, g.Refusal):
        # Not something open: maybe content to show there ("put the football on the left wall").
        if what and g.content_words(what) and " ".join(words(what)) not in g.DEICTIC:
            return _show(world, Call("show", {"what": what, "where": call.slots["where"]}))
        return [refuse(target)]
    if place.device or place.wearable:
        return [Step("playback.handoff", {"target": target, "to": place.device or place.wearable})]
    if world.home.panel(target) is None:
        # What plays on a device goes into a new panel at that place.
        playing = world.home.playback.get(target)
        if playing is None:
            return [refuse("nothing is playing there")]
        args: dict[str, Any] = {"content": playing.content}
        if place.placement:
            args["placement"] = place.placement
        return [Step("panel.open", args)]
    return [Step("panel.move", {"panel": target, "placement": place.placement or {}})]


def _panel_target(world: g.World, call: Call) -> Union[str, g.Refusal]:
    target = g.find_target(world, call.get("what"), panels_only=True)
    if isinstance(target, g.Refusal) and call.get("what") is None and len(world.home.panels) == 1:
        return world.home.panels[0].id
    return target


def _resize(world: g.World, call: Call) -> Plan:
    target = _panel_target(world, call)
    if isinstance(target, g.Refusal):
        return [refuse(target)]
    size = size_said(world.utterance, besides=call.get("what")) or call.slots["size"]
    return [Step("panel.resize", {"panel": target, "size": size})]


# The sizes words ask for, biggest first: "as big as it goes" is the whole wall, not "large".
_SIZES = (
    ("cinema", re.compile(r"\b(as (big|large) as|biggest|largest|huge|giant|enormous|fill|full ?screen|"
                          r"whole wall|cinema|max|maximum)\b")),
    ("large", re.compile(r"\b(big|bigger|large|larger|enlarge)\b")),
    ("medium", re.compile(r"\b(medium|normal|regular)\b")),
    ("small", re.compile(r"\b(small|smaller|tiny|shrink)\b")),
)


def size_said(utterance: str, besides: Optional[str] = None) -> Optional[str]:
    """The panel size the request's own words ask for, outside the words naming the thing
    ("show The Big Wave" says no size); None when they say none, or sizes both ways."""
    said = g.words(utterance)
    named = g.words(besides or "")
    for i in range(len(said) - len(named) + 1) if named else ():
        if said[i:i + len(named)] == named:
            said = said[:i] + said[i + len(named):]
            break
    text = " ".join(said)
    found = [size for size, pattern in _SIZES if pattern.search(text)]
    if not found:
        return None
    if found[0] == "cinema":
        return "cinema"
    return found[0] if len(found) == 1 else None


_SOUND = frozenset({"sound", "audio", "volume"})


def _sound_off(world: g.World, what: Optional[str], mute: bool) -> Optional[Plan]:
    """"Kill the sound on the football", "turn the audio back on": muting what plays, named by
    the words after the sound word, not switching off a speaker. None when nothing plays."""
    if not what or not set(g.content_words(what)) or not set(g.content_words(what)) <= _SOUND:
        return None
    said = g.words(world.utterance)
    at = next((i for i, w in enumerate(said) if w in _SOUND), None)
    rest = said[at + 1:] if at is not None else []
    rest = rest[1:] if rest[:1] in (["on"], ["of"], ["for"], ["from"], ["in"]) else []
    rest = [w for w in rest if w not in ("off", "on", "please", "now")]
    target = _find_target(world, " ".join(rest) or None)
    if isinstance(target, g.Refusal):
        return None
    return [Step("playback.volume", {"target": target, "mute": mute})]


def _close(world: g.World, call: Call) -> Plan:
    what = call.get("what")
    muted = _sound_off(world, what, mute=True)
    if muted is not None:
        return muted
    target = _panel_target(world, call)
    if isinstance(target, g.Refusal):
        devices = g.find_devices(world, what) if what else target
        if isinstance(devices, list):
            return [Step("device.power", {"device": d.id, "on": False}) for d in devices]
        # "turn off the ramp": no panel, but it sounds like a device; ask which rather than refuse.
        return [refuse(devices if devices.question and not target.question else target)]
    return [Step("panel.close", {"panel": target})]


def _find_target(world: g.World, what: Optional[str]) -> Union[str, g.Refusal]:
    """`find_target`, where words that start with "it"/"this"/"that" and name nothing open
    ("it all the way up": the model's span ran on into the change) mean what "it" means."""
    target = g.find_target(world, what)
    if isinstance(target, g.Refusal) and what and words(what)[:1] in (["it"], ["this"], ["that"]):
        return g.find_target(world, None)
    return target


def _transport(action: str) -> Any:
    def handler(world: g.World, call: Call) -> Plan:
        target = _find_target(world, call.get("what"))
        if isinstance(target, g.Refusal):
            return [refuse(target)]
        return [Step(action, {"target": target})]

    return handler


def _resume(world: g.World, call: Call) -> Plan:
    """Resume what the words point at; but "play Harbor Lights", with nothing by that name open,
    is that title to play (the model reads "play" as resume), not a refusal."""
    what = call.get("what")
    target = _find_target(world, what)
    if isinstance(target, g.Refusal) and (what is None or " ".join(words(what)) in g.DEICTIC):
        paused = [t for t, p in world.home.playback.items() if not p.playing]
        target = paused[0] if len(paused) == 1 else target  # "play it again": the one thing paused
    if _RESTART.search(" ".join(g.words(world.utterance))) and not isinstance(target, g.Refusal):
        return [Step("playback.seek", {"target": target, "position_s": 0})]  # "start it again from the top"
    title = _title_said(world, what)
    if title is not None:
        showing = [t for t in _targets_showing(world, title.ref)]
        if len(showing) == 1:
            return [Step("playback.resume", {"target": showing[0]})]
        if isinstance(target, g.Refusal) or target not in showing:
            return _show(world, Call("show", {"what": what or title.title}))
    if isinstance(target, g.Refusal):
        return [refuse(target)]
    return [Step("playback.resume", {"target": target})]


_RESTART = re.compile(r"\b(from the (beginning|start|top)|start over|over again|restart|from scratch)\b")


def _title_said(world: g.World, what: Optional[str]) -> Optional[g.ContentMatch]:
    """The content the words name by its whole name ("harbor lights", "the film Harbor
    Lights"), or, without words, the one whole title the request says after a play verb."""
    if what is None:
        said = [m for s, _, m in g.titles_in(world, world.utterance) if _play_verb_before(world.utterance, s)]
        return said[0] if len(said) == 1 else None
    ws = g.words(what)
    if " ".join(ws) in g.DEICTIC:
        return None
    said = g.titles_in(world, what)
    if len(said) != 1:
        return None
    start, end, match = said[0]
    framing = all(w in g.FILLER or g.SYNONYMS.get(w, w) in g.KIND_WORDS for w in ws[:start] + ws[end:])
    return match if framing else None


PLAY_VERBS = frozenset("play playing watch watching show stream start put see queue resume open".split())


def _play_verb_before(utterance: str, start: int) -> bool:
    """Whether a verb that asks to play something comes just before the word at `start`."""
    return bool(PLAY_VERBS & set(g.words(utterance)[max(0, start - 4):start]))


def _targets_showing(world: g.World, ref: str) -> list[str]:
    home = world.home
    return [t for t, p in home.playback.items() if p.content == ref]


def _seek(world: g.World, call: Call) -> Plan:
    target = _find_target(world, call.get("what"))
    if isinstance(target, g.Refusal):
        return [refuse(target)]
    if call.get("to"):
        to = call.slots["to"]
        if any(w in words(to) for w in ("start", "beginning", "top")):
            return [Step("playback.seek", {"target": target, "position_s": 0})]
        if any(w in words(to) for w in ("halfway", "half", "middle")):
            duration = _duration(world, target)
            if duration is None:
                return [refuse("I don't know how long that is, so I can't find its middle")]
            return [Step("playback.seek", {"target": target, "position_s": round(duration / 2)})]
        seconds = parse_duration(to)
        if seconds is None:
            return [refuse(f"I didn't catch where to jump to in {to!r}")]
        return [Step("playback.seek", {"target": target, "position_s": seconds})]
    span = call.get("forward") or call.get("back")
    seconds = parse_duration(span) if span else None
    if seconds is None:
        return [refuse("how far should I skip?")]
    delta = seconds if call.get("forward") else -seconds
    return [Step("playback.seek", {"target": target, "delta_s": int(delta) if delta == int(delta) else delta})]


def _duration(world: g.World, target: str) -> Optional[float]:
    playing = world.home.playback.get(target)
    if playing is None or world.catalog is None or not playing.content.startswith("vod:"):
        return None
    try:
        return float(world.catalog.vod(world.home.id, playing.content.split(":", 1)[1]).duration_s or 0) or None
    except Exception:  # noqa: BLE001 - a title the catalogue lost has no known length
        return None


def _volume(world: g.World, call: Call) -> Plan:
    target = _find_target(world, call.get("what"))
    if isinstance(target, g.Refusal):
        return [refuse(target)]
    args: dict[str, Any] = {"target": target}
    change = call.get("change")
    said = world.utterance
    if change in ("up", "down"):
        change = dc.direction_said(said) or change  # "quieter" is down whatever the model wrote
    if call.get("level"):
        level = parse_percent(call.slots["level"])
        relative = dc.relative_change(call.slots["level"], "volume", context=said) if level is None else None
        if level is None and relative is None:
            return [refuse(f"what volume is {call.slots['level']!r}?")]
        if relative is not None:
            args.update({"level": relative.level} if relative.level is not None else {"delta": relative.delta})
        else:
            args["level"] = level
    elif change in ("mute", "unmute"):
        args["mute"] = change == "mute"
    else:
        # "a bit louder", "way down", "all the way up": the words say how far.
        relative = dc.relative_change(change or "up", "volume", direction=change or "up", context=said)
        args.update({"level": relative.level} if relative.level is not None else {"delta": relative.delta})
    return [Step("playback.volume", args)]


def _place_missing(world: g.World) -> Optional[Step]:
    """A device command in a request naming a place the home lacks ("the lights in the garage")
    is refused, even when the model's words left the place out."""
    names = {w for _, d in world.home.devices() for w in g.content_words(d.name)}
    missing = room_missing(world, g.content_words(world.utterance), names)
    return refuse(f"there's no {missing} in this home") if missing else None


def _power(world: g.World, call: Call) -> Plan:
    on = call.slots["on"] == "yes"
    nowhere = _place_missing(world)
    if nowhere is not None:
        return [nowhere]
    muted = _sound_off(world, call.slots["what"], mute=not on)
    if muted is not None:
        return muted
    devices = _devices_said(world, call.slots["what"])
    if isinstance(devices, g.Refusal):
        if not on:  # "turn off the news": the panel, not a device
            target = g.find_target(world, call.slots["what"], panels_only=True)
            if not isinstance(target, g.Refusal):
                return [Step("panel.close", {"panel": target})]
        return [refuse(devices)]
    return [Step("device.power", {"device": d.id, "on": on}) for d in devices]


def _devices_said(world: g.World, what: str, kind: Optional[str] = None) -> Union[list[Any], g.Refusal]:
    """The devices the words name; when they name none ("it's bedtime, lights off in the
    bedroom" read as switching off "it's bedtime"), the ones the rest of the request names
    with a word for a kind of device ("lights ... in the bedroom"), else the refusal."""
    devices = g.find_devices(world, what) if kind is None else g.find_devices(world, what, kind=kind)
    if not isinstance(devices, g.Refusal) or devices.question or not world.utterance:
        return devices
    said, copied = g.words(world.utterance), g.words(what)
    for i in range(len(said) - len(copied) + 1):
        if said[i:i + len(copied)] == copied:
            said = said[:i] + said[i + len(copied):]
            break
    rest = " ".join(said)
    if not dc.kinds_named(rest):
        return devices
    again = g.find_devices(world, rest) if kind is None else g.find_devices(world, rest, kind=kind)
    return again if isinstance(again, list) else devices


def _light(world: g.World, call: Call) -> Plan:
    said = call.slots["level"]
    # A level of just "a" is the model cutting "a bit" short, not "one per cent".
    level = None if said.strip().lower() in ("a", "an") else parse_percent(said)
    change = dc.relative_change(said, "brightness", context=world.utterance) \
        if level is None else None
    if level is None and change is None:
        return [refuse(f"what brightness is {said!r}?")]
    nowhere = _place_missing(world)
    if nowhere is not None:
        return [nowhere]
    # "dim" without naming a light dims the lights here, as "lights off" switches them all.
    what = call.get("what")
    if what is None or (change is not None and " ".join(words(what)) in g.DEICTIC):  # "make it brighter"
        what = "the lights" if change is not None else "the light"
    devices = _devices_said(world, what, kind="light")
    if isinstance(devices, g.Refusal):
        others = g.find_devices(world, what) if call.get("what") else devices
        on = dc.power_meant(world.utterance)
        if isinstance(others, list) and all(d.kind != "light" for d in others) and on is not None:
            return [Step("device.power", {"device": d.id, "on": on}) for d in others]  # a plug has no brightness
        return [refuse(devices)]
    if change is not None and change.delta is not None:
        return [Step("device.light", {"device": d.id, "delta": change.delta}) for d in devices]
    brightness = level if level is not None else change.level  # type: ignore[union-attr]
    return [Step("device.light", {"device": d.id, "brightness": brightness}) for d in devices]


def _ask_on(world: g.World, call: Call) -> Plan:
    after = _on_after(world)
    if after is not None:
        return [after]
    args: dict[str, Any] = {}
    what = call.get("what")
    if what and g.content_words(what) and world.catalog is not None:
        match = g.find_content(world, what)
        if isinstance(match, g.ContentMatch) and match.kind == "channel":
            args["channel"] = match.ref.split(":", 1)[1]
        else:
            cats = g.content_words(what)
            args["category"] = cats[0] if cats else what
    when = call.get("when")
    if when:
        moment = parse_time_of_day(when, world.now)
        if moment is not None and moment != world.now:
            args["at"] = moment.isoformat()
    return [Step("guide.now", args)]


def _on_after(world: g.World) -> Optional[Step]:
    """"What's on after Captain Puddle?": the guide for that programme's channel when what is
    on it now ends (a programme on now, or a channel, said after "after")."""
    said = g.words(world.utterance)
    if "after" not in said or world.catalog is None:
        return None
    start = said.index("after") + 1
    named = [m for s, _, m in g.titles_in(world, world.utterance) if s >= start and m.kind == "channel"]
    if not named:
        return None
    channel = named[0].ref.split(":", 1)[1]
    try:
        listings = world.catalog.at(world.home.id, world.now, channel=channel)
    except Exception:  # noqa: BLE001 - no guide for it: the plain question answers instead
        return None
    if not listings:
        return None
    return Step("guide.now", {"channel": channel, "at": listings[0].programme.stop.isoformat()})


def _ask_find(world: g.World, call: Call) -> Plan:
    channel = g.channel_named(world, call.slots["what"])
    if channel is not None:  # "what film is Film Club showing": a channel is found by what is on
        return [Step("guide.now", {"channel": channel.ref.split(":", 1)[1]})]
    what = call.slots["what"]
    if not set(g.content_words(what)) - g.KIND_WORDS:  # "find the show" for "find the show Tidepool Tales"
        title = _title_elsewhere(world, call)
        what = title.title if title is not None else what
    query = g.query_core(" ".join(g.content_words(what)))  # "the TV series X" is X
    return [Step("content.search", {"query": query or what})]


def _ask_playing(world: g.World, call: Call) -> Plan:
    what = call.get("what")
    channel = g.channel_named(world, what) if what else None
    if channel is not None:  # "who's playing on Rink TV": the channel, not the TV
        return [Step("guide.now", {"channel": channel.ref.split(":", 1)[1]})]
    target: Union[str, g.Refusal]
    if what and set(words(what)) & g.SCREEN_WORDS:
        devices = g.find_devices(world, what, kind="tv")
        target = devices[0].id if isinstance(devices, list) else devices
    else:
        target = g.find_target(world, what)
    if isinstance(target, g.Refusal) and what and world.catalog is not None:
        match = g.find_content(world, what)
        if isinstance(match, g.ContentMatch) and match.kind == "channel":
            return [Step("guide.now", {"channel": match.ref.split(":", 1)[1]})]
    if isinstance(target, g.Refusal):
        return [refuse(target)]
    playing = world.home.playback.get(target)
    found = world.home.device(target)
    name = found[1].name if found else f"panel {target}"
    if playing is None:
        state = found[1].state if found else None
        if state is not None and state.playing:
            return [Step(say=f"{name} is showing {_title(world, state.playing)}.")]
        return [Step(say=f"Nothing is playing on {name}.")]
    return [Step(say=f"{name} is {'playing' if playing.playing else 'paused on'} {_title(world, playing.content)}.")]


def _title(world: g.World, ref: str) -> str:
    catalog = world.catalog
    if catalog is None:
        return ref
    try:
        item = catalog.resolve(world.home.id, ref)
    except Exception:  # noqa: BLE001 - the ref itself is still worth saying
        return ref
    title = item.title
    if ref.startswith("channel:"):
        listings = catalog.at(world.home.id, world.now, channel=ref.split(":", 1)[1])
        if listings:
            title += f" ({listings[0].programme.title})"
    return title


# --- watching together (docs/cowatch.md) ------------------------------------------------

_ME = frozenset({"me", "myself", "here", "mine"})


def _watch_with(world: g.World, text: str) -> Union[list[str], g.Refusal]:
    """The targets "with the TV" / "on my headset too" name: devices, a wearable, or a panel."""
    ws = words(text)
    wearable = g.find_wearable(world, text)
    if wearable is not None:
        return [wearable.id]
    if set(ws) <= _ME | g.FILLER and world.device is not None:  # "with me": the device asking
        return [world.device]
    devices = g.find_devices(world, text)
    if isinstance(devices, list):
        return [d.id for d in devices]
    panel = g.find_target(world, text, panels_only=True)
    return [panel] if isinstance(panel, str) else devices


def _together(world: g.World, call: Call) -> Plan:
    source = g.find_target(world, call.get("what"))
    if isinstance(source, g.Refusal):
        return [refuse(source)]
    others = _watch_with(world, call.slots["with"])
    if isinstance(others, g.Refusal):
        return [refuse(others)]
    others = [t for t in others if t != source]
    if not others:
        return [refuse("that is where it plays already; say where else to play it, e.g. \"on the TV too\"")]
    return [Step("cowatch.start", {"target": source, "with": others})]


def _apart(world: g.World, call: Call) -> Plan:
    """ "take the TV out of it" leaves; "stop watching together" ends the group (or the focused
    screen's part in it: a group of two is over either way)."""
    groups = rules.watch_groups(world.home)
    grouped = {t: group for group, ts in groups.items() for t in ts}
    if not groups:
        return [refuse("nothing is being watched together right now")]
    what = call.get("what")
    if what is None or " ".join(words(what)) in g.DEICTIC:
        for mine in (world.focus, world.device):
            if mine in grouped:
                return [Step("cowatch.leave", {"target": mine})]
        if len(groups) == 1:
            return [Step("cowatch.end", {"group": next(iter(groups))})]
        return [refuse(f"several things are watched together ({', '.join(sorted(groups))}); say which screen "
                       "should stop, e.g. \"take the TV out\"")]
    targets = _watch_with(world, what)
    if isinstance(targets, g.Refusal):
        return [refuse(targets)]
    leaving = [t for t in targets if t in grouped]
    if not leaving:
        return [refuse(f"{' '.join(words(what))} is not watching together with anything")]
    return [Step("cowatch.leave", {"target": t}) for t in leaving]


def _undo(world: g.World, call: Call) -> Plan:
    return [Step(undo=True)]


def _none(world: g.World, call: Call) -> Plan:
    return [refuse("sorry, I can't do that; I can show channels and titles, move panels, control "
                   "playback and switch the home's devices")]


_HANDLERS = {
    "show": _show, "switch": _switch, "move": _move, "resize": _resize, "close": _close,
    "pause": _transport("playback.pause"), "resume": _resume, "seek": _seek,
    "volume": _volume, "power": _power, "light": _light, "ask_on": _ask_on, "ask_find": _ask_find,
    "ask_playing": _ask_playing, "together": _together, "apart": _apart, "undo": _undo, "none": _none,
}
