"""What everyday device words mean, shared by both understanding layers.

The template layer and the model's planner both end here, so "dim the lights", "a bit
louder", "every lamp in here" and "kill the plug" mean the same whichever layer read them:

- relative steps: a direction (up/down) and a size ("a bit", default, "a lot"), or an end
  of the scale ("to the max", "lowest"), become a delta or a level per quantity;
- groups: plural or "all/every/both" words act on every matching device; a singular word
  that matches several asks which;
- the speaker's room: "here", "in here", "this room" name the room, not a device;
- kinds: what people call a device kind (plug, socket, outlet, media player, telly);
- verbs: activate/deactivate, enable/disable, shut, cut, kill, "make … go out".

Pure functions of words and device kinds: no home lookups, no framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional

from twinspace.home.model import Device

Quantity = Literal["brightness", "volume"]
Size = Literal["small", "default", "big"]

# Steps in percent points. A light has few levels worth telling apart; volume moves in finer steps.
STEPS: dict[Quantity, dict[Size, int]] = {
    "brightness": {"small": 10, "default": 20, "big": 40},
    "volume": {"small": 5, "default": 10, "big": 25},
}
LOWEST: dict[Quantity, int] = {"brightness": 1, "volume": 0}  # "lowest" keeps a light on; "off" is off

_SMALL = re.compile(r"\b(a (little|tad|touch|smidge)( bit)?|a bit|a little bit|slightly|just a (bit|little)|"
                    r"a notch|one notch|a hair|little|bit)\b")
_BIG = re.compile(r"\b(a lot|lots|way|much|loads|heaps|a good bit|significantly|really|seriously)\b")
_MAX = re.compile(r"\b(max|maximum|full|fully|highest|brightest|loudest|all the way up|100 ?%?)\b")
_MIN = re.compile(r"\b(min|minimum|lowest|dimmest|quietest|all the way down)\b")
_UP = re.compile(r"\b(up|brighten|brighter|lighter|raise|increase|more|higher|louder|boost|crank|pump|"
                 r"turn it up|bump)\b")
_DOWN = re.compile(r"\b(down|dim|dimmer|darker|darken|lower|decrease|less|softer|quieter|reduce|drop|"
                   r"turn it down|tone)\b")
_ALL_THE_WAY = re.compile(r"\ball the way\b")
_HERE = re.compile(r"\b(in here|over here|right here|here|in this room|this room|in the room|the room)\b")
_GROUP = re.compile(r"\b(all|every|everything|both|each|whole)\b")


@dataclass(frozen=True)
class Change:
    """A relative or end-of-scale change: exactly one of `level` and `delta` is set."""

    level: Optional[int] = None
    delta: Optional[int] = None


def _text(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def size_of(text: str) -> Size:
    t = _text(text)
    if _SMALL.search(t):
        return "small"
    if _BIG.search(t):
        return "big"
    return "default"


def step(quantity: Quantity, direction: Literal["up", "down"], size: Size = "default") -> Change:
    amount = STEPS[quantity][size]
    return Change(delta=amount if direction == "up" else -amount)


def end_of_scale(quantity: Quantity, end: Literal["max", "min"]) -> Change:
    return Change(level=100 if end == "max" else LOWEST[quantity])


def relative_change(text: str, quantity: Quantity, *, direction: Optional[str] = None,
                    context: str = "") -> Optional[Change]:
    """The change words ask for without a number: "dim", "a bit brighter", "to the max".

    `direction` is one the caller already knows (the model wrote change=up); `context` is
    the whole request, whose words may say the size ("dim the lights a bit") or an end of
    the scale when `text` does not. None when neither says a direction or an end."""
    t, c = _text(text), _text(context)
    for words in (t, c):
        if _MAX.search(words):
            return end_of_scale(quantity, "max")
        if _MIN.search(words):
            return end_of_scale(quantity, "min")
    if direction not in ("up", "down"):
        direction = _direction(t) or _direction(c)
        if direction is None:
            return None
    if _ALL_THE_WAY.search(t) or _ALL_THE_WAY.search(c):  # "brighter, all the way": the end of the scale
        return end_of_scale(quantity, "max" if direction == "up" else "min")
    size = size_of(t)
    return step(quantity, direction, size if size != "default" else size_of(c))  # type: ignore[arg-type]


def direction_said(text: str) -> Optional[str]:
    """"up" or "down" as the words say it ("quieter", "turn it down a bit"); None for neither."""
    return _direction(_text(text))


def _direction(t: str) -> Optional[str]:
    up, down = _UP.search(t), _DOWN.search(t)
    if up and down:  # "turn it down a bit more": the first direction said wins
        return "up" if up.start() < down.start() else "down"
    return "up" if up else "down" if down else None


# --- the speaker's room, groups ------------------------------------------------------------

def names_here(text: str) -> bool:
    """Whether the words name the speaker's room ("in here", "this room")."""
    return bool(_HERE.search(_text(text)))


def without_here(text: str) -> str:
    """The words with the speaker's room taken out: "the lights in here" is "the lights"."""
    return " ".join(_HERE.sub(" ", _text(text)).split())


def is_group(text: str) -> bool:
    """Plural or all-words: "the lights", "every lamp", "both speakers", "everything"."""
    t = _text(text)
    if _GROUP.search(t):
        return True
    return any(w in PLURAL_KINDS for w in re.findall(r"[a-z]+", t))


# --- kinds -----------------------------------------------------------------------------------

# What people call each kind; a device of kind "other" is a plug when its name says so.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "light": ("light", "lamp", "lights", "lamps", "lighting", "bulb", "bulbs"),
    "tv": ("tv", "television", "telly", "screen", "tvs", "televisions", "screens", "media player",
           "티비", "텔레비전"),
    "speaker": ("speaker", "speakers", "soundbar", "sound bar", "media player", "music player", "stereo",
                "스피커", "사운드바"),
    "plug": ("plug", "plugs", "socket", "sockets", "outlet", "outlets", "smart plug", "switch", "power strip",
             "플러그", "콘센트"),
}
PLURAL_KINDS = frozenset({"lights", "lamps", "bulbs", "tvs", "televisions", "screens", "speakers", "plugs",
                          "sockets", "outlets", "devices"})
_PLUG_NAMES = re.compile(r"\b(plug|socket|outlet|switch|strip)\b|플러그|콘센트", re.I)


def lamps_only(text: str) -> bool:
    """"The lamps" are the lamps, not every light: lamp words without light words."""
    ws = set(re.findall(r"[a-z]+", _text(text)))
    return bool(ws & {"lamp", "lamps"}) and not ws & {"light", "lights", "lighting"}


def kind_of(device: Device) -> str:
    """light, tv, speaker, plug or other: the device's kind as people talk about it."""
    if device.kind == "other" and _PLUG_NAMES.search(device.name):
        return "plug"
    return device.kind


def without_kind_words(name: str) -> str:
    """A name without the words for a plug: "Kettle plug" is what people call "the kettle"."""
    return " ".join(_PLUG_NAMES.sub(" ", name).split())


def kind_words(device: Device) -> tuple[str, ...]:
    return KIND_WORDS.get(kind_of(device), ())


def kinds_named(text: str) -> set[str]:
    """The kinds the words name: "the outlet" → {"plug"}, "the media player" → {"tv", "speaker"}."""
    t = f" {_text(text)} "
    return {kind for kind, ws in KIND_WORDS.items() if any(f" {w} " in t for w in ws)}


def is_media(device: Device) -> bool:
    return device.kind in ("tv", "speaker")


# --- verbs -------------------------------------------------------------------------------------

_ON = re.compile(r"\b(turn on|switch on|power on|power up|activate|enable|start|fire up|boot up|wake|"
                 r"light up|put on|on)\b")
_OFF = re.compile(r"\b(turn off|switch off|power off|power down|shut off|shut down|shut|deactivate|disable|"
                  r"cut|kill|stop|go out|goes out|douse|extinguish|off)\b")


def power_meant(text: str) -> Optional[bool]:
    """On (True) or off (False) as everyday verbs say it; None when the words say neither or both."""
    t = _text(text)
    says_on, says_off = _ON.search(t) is not None, _OFF.search(t) is not None
    if says_on == says_off:
        return None
    return says_on
