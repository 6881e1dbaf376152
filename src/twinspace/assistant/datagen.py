"""Synthetic training data for the task adapter: requests and the commands they mean.

Requests are composed from phrasings of each verb in `ir.VERBS` and fillers drawn from
many invented homes (channel names, titles, apps, devices, rooms, surfaces), so the
adapter learns to segment requests, not to remember one household. Every example is
checked: each slot value is words copied from the request, exactly as the grammar will
demand at inference time.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from twinspace.assistant import ir

# --- vocabulary of invented homes ------------------------------------------------------

_BRANDS = ["sports one", "sports two", "arena sports", "news 24", "hub news", "world news", "channel 5",
           "kids tv", "little planet", "cartoon world", "film club", "cinema plus", "movie max",
           "docu world", "nature one", "planet earth tv", "k-drama channel", "drama hub", "music live",
           "lo-fi radio", "jazz fm", "cook & eat", "food network", "weather now", "sky weather",
           "bbc one", "itv", "history plus", "science tv", "travel channel", "comedy central",
           "mbc", "kbs 1", "tvn", "espn", "fox sports", "cnn", "euronews", "nick jr", "disney junior",
           "rink tv", "metro now", "laugh track", "reel four", "pitchside", "simmer", "jukebox", "fireside",
           "wildscape", "skywatch weather", "northern trails", "kitchen party", "chill fm", "cine city",
           "the forecast channel", "pip & pals", "longroom sport", "newsline", "arena sports", "hub news"]
_TOPICS = ["football", "the football", "the match", "the game", "baseball", "the baseball", "basketball",
           "tennis", "the tennis", "cricket", "rugby", "golf", "the golf", "formula one", "boxing",
           "the news", "news", "the headlines", "the weather", "weather", "jazz", "some jazz", "music",
           "some music", "classical music", "cartoons", "some cartoons", "something for the kids",
           "a documentary", "the documentary channel", "the kids channel", "the cooking channel",
           "the sports channel", "the news channel", "the music channel", "the movie channel",
           "the nature channel", "a movie", "a film", "something funny", "a cooking show",
           "the premier league", "the highlights", "the concert", "a drama", "the drama channel",
           "nature documentaries", "the ocean documentary", "wildlife", "the quiz show", "footy"]
_ADJ = ["silent", "golden", "last", "broken", "hidden", "bright", "lost", "wild", "frozen", "little",
        "midnight", "iron", "paper", "crimson", "distant", "hollow", "electric", "quiet", "northern", "velvet"]
_NOUN = ["harbor", "river", "star", "garden", "city", "kingdom", "signal", "island", "road", "summer",
         "forest", "empire", "mirror", "light", "storm", "voyage", "dragon", "chef", "planet", "case"]
_APPS = ["youtube", "netflix", "spotify", "the browser", "the web browser", "photos", "my photos",
         "disney plus", "prime video", "apple tv", "twitch", "the weather app", "music", "the music app",
         "tiktok", "plex", "the calendar", "the fitness app"]
# Titles that read like commands: a title is data, so these are shown, never obeyed.
_COMMAND_TITLES = ["turn off the lights", "lights out", "stop the clock", "close the door", "pause for thought",
                   "switch off", "turn it up", "volume", "the volume", "mute", "open season", "off the grid",
                   "power down", "power on", "shut it down", "play dead", "dim the lights", "all the lights",
                   "undo", "the last panel", "move over", "open all night", "the light between us"]
_SPORTS_SHOWS = ["premier league highlights", "baseball tonight", "match of the day", "the big match"]
_ROOMS = ["living room", "bedroom", "kitchen", "study", "office", "den", "lounge", "kids room",
          "guest room", "dining room", "basement", "attic", "hallway", "nursery", "games room",
          "kitchen-diner", "sitting room", "family room", "playroom", "loft", "main bedroom", "spare room"]
_LIGHT_NAMES = ["lamp", "corner lamp", "floor lamp", "bedside lamp", "desk lamp", "reading lamp",
                "ceiling light", "light", "lights", "the lights", "kitchen light", "pendant", "arc lamp",
                "night light", "strip lights", "hall light", "spotlights", "table lamp", "big light",
                "paper lantern", "lantern", "pendant light", "standing lamp", "wall light", "led strip",
                "fairy lights", "downlights", "porch light", "all the lights", "every light", "the lamps"]
_OTHER_DEVICES = ["tv", "television", "telly", "soundbar", "speaker", "the speaker", "projector",
                  "living room tv", "bedroom tv", "the big tv", "fan", "air purifier", "kitchen speaker",
                  "sound system", "subwoofer", "plug", "smart plug", "the socket", "the outlet",
                  "media player", "study tv", "kitchen radio", "heater", "coffee machine", "kettle"]
_WEARABLES = [("my headset", "headset"), ("the headset", "headset"), ("my quest", "quest"),
              ("my glasses", "glasses"), ("the glasses", "glasses"), ("my smart glasses", "smart glasses"),
              ("my goggles", "goggles")]
_SURFACES = ["the coffee table", "the table", "the desk", "the couch", "the sofa", "the bed", "the floor",
             "the dining table", "the kitchen counter", "the counter", "the island", "the side table",
             "the bookshelf", "the dresser", "the nightstand", "the ceiling", "the window", "the big wall",
             "the tv wall", "the empty wall", "the work desk", "the shelf"]


def _title(rng: random.Random) -> str:
    shape = rng.randrange(5)
    a, n = rng.choice(_ADJ), rng.choice(_NOUN)
    if shape == 0:
        return f"the {a} {n}"
    if shape == 1:
        return f"{a} {n}"
    if shape == 2:
        return f"{n} of the {rng.choice(_NOUN)}s"
    if shape == 3:
        return f"{a}{rng.choice(['fall', 'light', 'wood', 'gate', 'line'])}"
    return f"{n} {rng.choice(['files', 'stories', 'diaries', 'lights', 'nights'])}"


def content_phrase(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.06:
        return rng.choice(["", "", "the film ", "the movie ", "the series ", "the show "]) + rng.choice(_COMMAND_TITLES)
    if r < 0.12:
        return rng.choice(["the film ", "the movie ", "the series ", "the tv series ", "the show ",
                           "the documentary ", "the programme "]) + _title(rng).removeprefix("the ")
    if r < 0.32:
        return rng.choice(_TOPICS)
    if r < 0.55:
        return rng.choice(["", "", "the "]) + rng.choice(_BRANDS)
    if r < 0.82:
        return _title(rng)
    return rng.choice(_SPORTS_SHOWS)


def panel_phrase(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.2:
        return rng.choice(["it", "this", "that", "this one", "that one", "this panel", "that panel",
                           "the one i'm looking at", "this window", "this screen"])
    if r < 0.5:
        return rng.choice(["the news", "the movie", "the film", "the match", "the game", "the cartoons",
                           "the football", "the show", "the video", "the documentary", "the concert",
                           "the weather", "the kids show", "the series", "youtube", "the browser",
                           "the music", "the news panel", "the movie panel", "the left panel",
                           "the panel on the left", "the big panel", "the small one", "the right one"])
    if r < 0.75:
        return "the " + rng.choice(_BRANDS)
    return _title(rng) if rng.random() < 0.5 else "the " + _title(rng).removeprefix("the ")


def device_phrase(rng: random.Random, kind: str = "any") -> str:
    if kind == "light" or (kind == "any" and rng.random() < 0.55):
        name = rng.choice(_LIGHT_NAMES)
    else:
        name = rng.choice(_OTHER_DEVICES)
    if name.startswith("the "):
        return name
    r = rng.random()
    if r < 0.6:
        return "the " + name
    if r < 0.8:
        return f"the {rng.choice(_ROOMS)} {name}"
    return name


@dataclass(frozen=True)
class Where:
    phrase: str  # as written in the request
    span: str  # what the command copies


def where_phrase(rng: random.Random, screen_ok: bool = True) -> Where:
    side = rng.choice(["left", "right"])
    r = rng.random()
    if r < 0.45:
        span = rng.choice([
            f"the wall to my {side}", f"the {side} wall", f"the wall on my {side}", f"my {side}",
            f"the {side}", "the wall behind me", "the back wall", "the wall in front of me",
            "the front wall", f"the wall on the {side}", f"the {side} hand wall", f"the {side} side",
            f"the {side}-hand wall", "the opposite wall", "the wall"])
        prep = "to" if span.startswith("my ") else rng.choice(["on", "on", "onto", "up on"])
        return Where(f"{prep} {span}", span)
    if r < 0.58:
        return rng.choice([Where("in front of me", "front of me"), Where("behind me", "behind me"),
                           Where("right in front of me", "front of me"), Where("next to me", "next to me"),
                           Where(f"to my {side}", f"my {side}"), Where(f"on my {side}", f"my {side}"),
                           Where(f"over on the {side}", f"the {side}"), Where("here", "here")])
    if r < 0.78:
        s = rng.choice(_SURFACES)
        return Where(f"{rng.choice(['on', 'on', 'onto', 'over'])} {s}", s)
    if r < 0.88:
        room = rng.choice(_ROOMS)
        span = rng.choice([f"the {room} wall", f"the wall in the {room}", f"the {room}"])
        return Where(f"{'in' if span == f'the {room}' else 'on'} {span}", span)
    if not screen_ok:
        return Where("in front of me", "front of me")
    if rng.random() < 0.35:
        room = rng.choice(_ROOMS)
        return rng.choice([Where(f"in the {room}", f"the {room}"), Where(f"on the {room} tv", f"the {room} tv"),
                           Where(f"on the tv in the {room}", f"the tv in the {room}"),
                           Where(f"on the {room} telly", f"the {room} telly")])
    dev = rng.choice(["the tv", "the television", "the telly", "the big screen", "the bedroom tv",
                      "the living room tv", "the projector", "the screen", "the nearest tv", "the other tv"])
    return Where(f"on {dev}", dev)


SIZE_WORDS = {
    "small": ["small", "smaller", "tiny", "little", "a bit smaller", "compact"],
    "medium": ["medium", "normal size", "regular size", "medium sized"],
    "large": ["big", "bigger", "large", "larger", "a lot bigger", "a bit bigger", "huge"],
    "cinema": ["cinema size", "as big as possible", "massive", "full size", "giant", "enormous", "cinema"],
}


def size_choice(rng: random.Random) -> tuple[str, str]:
    size = rng.choice(list(SIZE_WORDS))
    return size, rng.choice(SIZE_WORDS[size])


NUMBER_WORDS = ["one", "two", "three", "four", "five", "ten", "fifteen", "twenty", "thirty", "forty",
                "fifty", "sixty", "ninety", "a", "half a", "a couple of"]


def duration(rng: random.Random) -> str:
    unit = rng.choice(["seconds", "seconds", "minutes", "minute", "second", "secs", "mins"])
    amount = str(rng.choice([5, 10, 15, 20, 30, 45, 60, 90, 2, 3, 5])) if rng.random() < 0.6 else rng.choice(NUMBER_WORDS)
    if amount in ("a", "half a", "one"):
        unit = unit.rstrip("s") if unit not in ("secs", "mins") else unit[:-1]
    return f"{amount} {unit}"


def percent(rng: random.Random) -> str:
    n = rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100])
    words = {10: "ten", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
             80: "eighty", 90: "ninety", 100: "a hundred", 25: "twenty five", 75: "seventy five", 5: "five", 15: "fifteen"}
    base = str(n) if rng.random() < 0.7 else words[n]
    return base + rng.choice(["", " percent", "%", " per cent", " percent"])


# --- phrasings per verb ----------------------------------------------------------------

Example = tuple[str, list[ir.Call]]
Maker = Callable[[random.Random], Example]


_OPENERS = ["can you ", "could you ", "would you ", "hey, ", "ok ", "hey twinspace, ", "could you please ",
            "would you mind if you ", "i'd like you to ", "do me a favour and ", "can i get you to ",
            "if you could ", "think you could ", "would it be possible to ", "i need you to "]
_FILLERS = ["um ", "uh ", "er ", "so ", "okay so ", "right, ", "actually ", "just ", "like ", "hmm ", "oh "]
_CLOSERS = [" please", " thanks", " thank you", " for me", " if you can", " cheers", " now", " would you"]


def _polite(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.10:
        text = "please " + text
    elif r < 0.20:
        text = text + rng.choice(_CLOSERS)
    elif r < 0.34 and not text.startswith(("i ", "i'", "let's", "can ", "could ", "what", "is ", "any")):
        text = rng.choice(_OPENERS) + text
        if rng.random() < 0.4:
            text += "?"
    if rng.random() < 0.12:
        text = rng.choice(_FILLERS) + text
    return text


# What speech recognition writes for some words: the command copies the words as heard, and
# grounding finds what they sound like. Replaced in the request and its spans alike.
_MISHEARD = {"two": "to", "four": "for", "lights": "lites", "telly": "tele", "football": "foot ball",
             "lamp": "lamb", "news": "noose", "weather": "whether", "pause": "paws", "cartoons": "car toons",
             "louder": "lauder", "channel": "channels", "kitchen": "kitchens", "tv": "t.v"}


def _misheard(rng: random.Random, text: str, calls: list[ir.Call]) -> tuple[str, list[ir.Call]]:
    ws = ir.words(text)
    options = [w for w in dict.fromkeys(ws) if w in _MISHEARD]
    if not options:
        return text, calls
    heard = rng.choice(options)
    meant = _MISHEARD[heard]

    def swap(s: str) -> str:
        return " ".join(meant if w == heard else w for w in ir.words(s))

    return swap(text), [ir.Call(c.verb, {k: swap(v) if ir.VERBS[c.verb][k] == ir.SPAN else v
                                         for k, v in c.slots.items()}) for c in calls]


def make_one_word(rng: random.Random) -> Example:
    """Commands people give in a word or two."""
    text, call = rng.choice([
        ("pause", _c("pause")), ("stop", _c("pause")), ("resume", _c("resume")), ("play", _c("resume")),
        ("continue", _c("resume")), ("louder", _c("volume", change="up")), ("quieter", _c("volume", change="down")),
        ("mute", _c("volume", change="mute")), ("unmute", _c("volume", change="unmute")),
        ("undo", _c("undo")), ("volume up", _c("volume", change="up")), ("volume down", _c("volume", change="down")),
        ("sound off", _c("volume", change="mute")), ("sound on", _c("volume", change="unmute")),
        ("lights off", _c("power", what="lights", on="no")), ("lights on", _c("power", what="lights", on="yes")),
        ("tv off", _c("power", what="tv", on="no")), ("tv on", _c("power", what="tv", on="yes")),
        ("lamp off", _c("power", what="lamp", on="no")), ("lamp on", _c("power", what="lamp", on="yes")),
        ("back ten seconds", _c("seek", back="ten seconds")),
        ("skip a minute", _c("seek", forward="a minute")), ("close it", _c("close", what="it")),
    ])
    return text + rng.choice(["", "", ".", "!", " please"]), [call]


def _c(verb: str, **slots: str) -> ir.Call:
    return ir.Call(verb, {k: ir.normalize(v) if ir.VERBS[verb][k] == ir.SPAN else v for k, v in slots.items()})


def make_show(rng: random.Random) -> Example:
    what = content_phrase(rng) if rng.random() < 0.85 else rng.choice(_APPS)
    has_where = rng.random() < 0.75
    w = where_phrase(rng) if has_where else None
    slots = {"what": what}
    if w:
        slots["where"] = w.span
    verb = rng.choice(["put", "show", "open", "play", "put on", "bring up", "start", "throw", "pop",
                       "show me", "i want to watch", "let's watch", "i'd like to see", "can i see",
                       "watch", "stick", "launch", "display", "turn on", "get me", "load", "find and play"])
    loc = f" {w.phrase}" if w else ""
    text = f"{verb} {what}{loc}"
    if rng.random() < 0.18:
        size, word = size_choice(rng)
        slots["size"] = size
        text = rng.choice([f"{text}, make it {word}", f"{text} {word}", f"{verb} {what} {word}{loc}"
                           if not word.startswith(("a ", "as ")) else f"{text}, {word}"])
    return _polite(rng, text), [_c("show", **slots)]


def make_switch(rng: random.Random) -> Example:
    what = content_phrase(rng)
    target = rng.choice([panel_phrase(rng), "the tv", "the television", "the telly", "the bedroom tv"])
    text = rng.choice([f"switch {target} to {what}", f"change {target} to {what}", f"put {what} on {target}",
                       f"change the channel on {target} to {what}", f"turn {target} over to {what}",
                       f"make {target} show {what}", f"play {what} on {target}", f"swap {target} to {what}"])
    if rng.random() < 0.25:
        text = rng.choice([f"switch to {what}", f"change to {what}", f"change the channel to {what}",
                           f"flip over to {what}", f"go to {what}"])
        return _polite(rng, text), [_c("switch", what=what)]
    return _polite(rng, text), [_c("switch", what=what, where=target)]


def make_move(rng: random.Random) -> Example:
    what = panel_phrase(rng)
    r = rng.random()
    if r < 0.3:  # hand off to a device
        phrase, span = rng.choice(_WEARABLES + [("the tv", "the tv"), ("the television", "the television"),
                                                ("the telly", "the telly"), ("the bedroom tv", "the bedroom tv")])
        source = rng.choice([what, "what's on the tv", "what's playing on the tv", "whatever is on the tv",
                             "the tv", "what i'm watching"])
        verb = rng.choice(["move", "send", "continue", "carry on", "transfer", "hand", "put", "throw",
                           "keep watching", "finish", "take"])
        text = rng.choice([f"{verb} {source} to {phrase}", f"{verb} {source} on {phrase}"])
        return _polite(rng, text), [_c("move", what=source, where=span)]
    w = where_phrase(rng, screen_ok=False)
    verb = rng.choice(["move", "put", "shift", "drag", "take", "slide", "stick", "bring", "relocate"])
    text = f"{verb} {what} {w.phrase}"
    return _polite(rng, text), [_c("move", what=what, where=w.span)]


def make_resize(rng: random.Random) -> Example:
    what = panel_phrase(rng)
    size, word = size_choice(rng)
    text = rng.choice([f"make {what} {word}", f"make {what} {word} please", f"can you make {what} {word}"])
    if size == "large" and rng.random() < 0.3:
        text, word = rng.choice([(f"enlarge {what}", None), (f"zoom in on {what}", None), (f"blow up {what}", None)])
    if size == "small" and rng.random() < 0.3:
        text = rng.choice([f"shrink {what}", f"make {what} smaller"])
    return _polite(rng, text), [_c("resize", what=what, size=size)]


def make_close(rng: random.Random) -> Example:
    what = panel_phrase(rng)
    verb = rng.choice(["close", "close", "get rid of", "remove", "hide", "dismiss", "shut", "kill",
                       "turn off", "take down", "i'm done with", "stop showing"])
    return _polite(rng, f"{verb} {what}"), [_c("close", what=what)]


def make_pause_resume(rng: random.Random) -> Example:
    pause = rng.random() < 0.5
    what = panel_phrase(rng) if rng.random() < 0.55 else None
    if pause:
        verb = rng.choice(["pause", "pause", "hold", "freeze", "stop", "pause playback on"])
        alone = rng.choice(["pause", "pause it", "hold on, pause", "stop for a second", "pause that",
                            "hit pause", "wait, pause"])
    else:
        verb = rng.choice(["resume", "continue", "unpause", "keep playing", "restart", "carry on with",
                           "start up", "go on with"])
        alone = rng.choice(["resume", "play", "continue", "keep going", "unpause", "carry on", "go on",
                            "resume playback", "play again"])
    slots = {"what": what} if what else {}
    if what is None:
        text = alone
        if any(w in ir.words(alone) for w in ("it", "that")):
            slots = {"what": "it" if "it" in ir.words(alone) else "that"}
    else:
        text = f"{verb} {what}"
    return _polite(rng, text), [_c("pause" if pause else "resume", **slots)]


_WATCH_PLACES = ["the tv", "the telly", "the television", "the living room tv", "the bedroom tv", "the kitchen tv",
                 "the big tv", "the projector", "my headset", "the headset", "my glasses", "the glasses",
                 "the lounge tv", "the study tv", "the quest", "the screen in the kitchen"]


def make_together(rng: random.Random) -> Example:
    """ "watch this together with the TV", "play it on the TV too": one title, in step, on more screens."""
    dest = rng.choice(_WATCH_PLACES)
    what = panel_phrase(rng) if rng.random() < 0.3 else rng.choice(["this", "it", "that", "what i'm watching"])
    text = rng.choice([
        f"watch {what} together with {dest}", f"let's watch {what} together on {dest}",
        f"play {what} on {dest} too", f"play {what} on {dest} as well", f"also play {what} on {dest}",
        f"put {what} on {dest} too", f"show {what} on {dest} as well", f"sync {what} with {dest}",
        f"mirror {what} to {dest}", f"keep {dest} in sync with {what}", f"i want {what} on {dest} too",
        f"can {dest} play {what} with me", f"have {dest} play {what} at the same time",
    ])
    return _polite(rng, text), [_c("together", what=what, **{"with": dest})]


def make_apart(rng: random.Random) -> Example:
    """ "stop watching together", "leave the group", "take the TV out of the group"."""
    if rng.random() < 0.5:
        return _polite(rng, rng.choice([
            "stop watching together", "leave the group", "leave the watch group", "quit the group",
            "stop syncing", "unsync", "we're done watching together", "end the watch party",
            "stop playing in sync", "watch separately now", "i want to watch on my own", "get me out of the group",
            "stop the watch together", "split the screens up", "no more watching together",
        ])), [_c("apart")]
    what = rng.choice(_WATCH_PLACES + ["this", "this panel", "it"])
    text = rng.choice([
        f"take {what} out of the group", f"remove {what} from the watch group", f"unsync {what}",
        f"stop watching together on {what}", f"drop {what} from the group", f"let {what} play on its own",
        f"{what} should leave the group", f"stop syncing {what}", f"make {what} leave the group",
    ])
    return _polite(rng, text), [_c("apart", what=what)]


def make_seek(rng: random.Random) -> Example:
    d = duration(rng)
    what = panel_phrase(rng) if rng.random() < 0.25 else None
    r = rng.random()
    if r < 0.45:
        text = rng.choice([f"skip forward {d}", f"fast forward {d}", f"skip ahead {d}", f"jump ahead {d}",
                           f"go forward {d}", f"forward {d}", f"skip {d}"])
        slot = {"forward": d}
    elif r < 0.9:
        text = rng.choice([f"go back {d}", f"rewind {d}", f"skip back {d}", f"jump back {d}",
                           f"back {d}", f"rewind by {d}", f"go back by {d}"])
        slot = {"back": d}
    else:
        t = rng.choice(["the start", "the beginning", "10 minutes", "one hour", "1 hour 20 minutes",
                        "halfway", "the middle", "30 minutes", "minute five"])
        text = rng.choice([f"jump to {t}", f"go to {t}", f"skip to {t}", f"start from {t}"])
        slot = {"to": t}
    if what:
        text += f" on {what}" if rng.random() < 0.5 else f" in {what}"
        slot = {"what": what, **slot}
    return _polite(rng, text), [_c("seek", **slot)]


def make_volume(rng: random.Random) -> Example:
    what = panel_phrase(rng) if rng.random() < 0.45 else None
    r = rng.random()
    on = f" on {what}" if what else ""
    of = f" of {what}" if what else ""
    if r < 0.35:
        n = str(rng.choice([0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100]))
        text = rng.choice([f"set the volume{of} to {n}", f"volume {n}{on}", f"turn the volume{of} to {n}",
                           f"put the volume{of} at {n}", f"set volume to {n} percent{on}"])
        slots = {"level": n}
    else:
        change = rng.choice(["up", "down", "mute", "unmute"])
        target = what or rng.choice(["it", None, None])
        t = f" {target}" if target else ""
        text = {"up": rng.choice([f"turn{t} up", f"turn{t} up a bit", "louder", f"make{t} louder",
                                   "volume up", f"turn up the volume{of}", "i can't hear it", "crank it up"]),
                "down": rng.choice([f"turn{t} down", f"turn{t} down a bit", "quieter", f"make{t} quieter",
                                     "volume down", f"lower the volume{of}", "too loud", "softer please"]),
                "mute": rng.choice([f"mute{t or ' it'}", "mute", f"silence{t or ' it'}", "mute the sound"]),
                "unmute": rng.choice([f"unmute{t or ' it'}", "unmute", "sound back on", f"turn the sound back on{on}"])}[change]
        slots = {"change": change}
        if target and target in ir.words(text) + [target] and ir.normalize(target) in " ".join(ir.words(text)):
            slots = {"what": target, **slots}
    return _polite(rng, text), [_c("volume", **slots)]


def make_power(rng: random.Random) -> Example:
    dev = device_phrase(rng)
    on = rng.random() < 0.5
    word = "on" if on else "off"
    text = rng.choice([f"turn {word} {dev}", f"switch {word} {dev}", f"turn {dev} {word}", f"switch {dev} {word}",
                       f"{dev} {word}", f"power {word} {dev}", f"{'start' if on else 'shut down'} {dev}"
                       if "lamp" not in dev and "light" not in dev else f"turn {word} {dev}"])
    if not on and rng.random() < 0.25:
        text = rng.choice([f"kill {dev}", f"shut off {dev}", f"cut {dev}", f"deactivate {dev}", f"disable {dev}",
                           f"shut {dev} off", f"make {dev} go out" if "light" in dev or "lamp" in dev else f"kill {dev}"])
    elif on and rng.random() < 0.2:
        text = rng.choice([f"activate {dev}", f"enable {dev}", f"fire up {dev}", f"get {dev} on",
                           f"can i have {dev} on", f"put {dev} on"])
    return _polite(rng, text), [_c("power", what=dev, on="yes" if on else "no")]


def make_light(rng: random.Random) -> Example:
    dev = device_phrase(rng, "light")
    p = percent(rng)
    text = rng.choice([f"dim {dev} to {p}", f"set {dev} to {p}", f"put {dev} at {p}", f"brighten {dev} to {p}",
                       f"make {dev} {p}", f"{dev} to {p}", f"set the brightness of {dev} to {p}",
                       f"turn {dev} down to {p}", f"turn {dev} up to {p}"])
    return _polite(rng, text), [_c("light", what=dev, level=p)]


def make_ask_on(rng: random.Random) -> Example:
    what = rng.choice(["", "", ""]) or rng.choice(_BRANDS + ["the kids channel", "the news channel",
                                                           "sports", "the sports channels", "the movie channel"])
    when = rng.choice([None, None, "right now", "now", "tonight", "at 9", "at 8 pm", "at nine tonight",
                       "later", "at 20:05", "this evening", "next", "at 7:30"])
    w = f" {when}" if when else ""
    q = rng.choice(["what's on", "what is on", "what's playing on", "anything good on", "what's showing on",
                    "tell me what's on", "what are they showing on", "what's on tv on"])
    if rng.random() < 0.2:
        text = rng.choice([f"what's on tv{w}", f"what's on{w}", f"anything good on{w}", "what's on right now"])
        slots = {"when": when} if when and when in text else {}
        if "right now" in text and not when:
            slots = {"when": "right now"}
        return text + rng.choice(["", "?"]), [_c("ask_on", **slots)]
    slots = {"what": what}
    if when:
        slots["when"] = when
    return f"{q} {what}{w}" + rng.choice(["", "?"]), [_c("ask_on", **slots)]


def make_ask_find(rng: random.Random) -> Example:
    topic = rng.choice(["the ocean", "space", "cooking", "dinosaurs", "football", "jazz", "cats", "history",
                        "the ocean", "robots", "mountains", "cars", "baking", "crime", "science fiction",
                        "animals", "sharks", "the moon", "travel", "comedy", "something scary", "yoga"])
    text = rng.choice([f"find me something about {topic}", f"search for {topic}", f"look for {topic}",
                       f"is there anything about {topic}", f"find {topic}", f"any shows about {topic}",
                       f"what do you have about {topic}", f"do we have anything on {topic}",
                       f"i'm in the mood for {topic}", f"recommend something about {topic}"])
    if rng.random() < 0.35:
        topic = rng.choice(["the tv series ", "the series ", "the film ", "the movie ", "the show ",
                            "the film called ", "a series called ", "the documentary "]) + _title(rng).removeprefix("the ")
        text = rng.choice([f"find {topic}", f"look for {topic}", f"search for {topic}", f"is there {topic}",
                           f"do we have {topic}", f"can you find {topic}", f"where can i watch {topic}"])
    return text + rng.choice(["", "?"]), [_c("ask_find", what=topic)]


def make_ask_playing(rng: random.Random) -> Example:
    target = rng.choice(["the tv", "the television", "this", "that", "the telly", "the bedroom tv", None, None])
    if target is None:
        text = rng.choice(["what am i watching", "what is this", "what's this show", "what's playing",
                           "what's this called"])
        slots = {"what": "this"} if "this" in ir.words(text) else {}
        return text + rng.choice(["", "?"]), [_c("ask_playing", **slots)]
    text = rng.choice([f"what's playing on {target}", f"what's on {target} right now" if target != "this" else
                       "what is this", f"what is {target} showing", f"what's showing on {target}"])
    slots = {"what": target} if ir.normalize(target) in ir.normalize(text) else {}
    return text + rng.choice(["", "?"]), [_c("ask_playing", **slots)]


def make_undo(rng: random.Random) -> Example:
    return rng.choice(["undo", "undo that", "take that back", "undo the last thing", "revert that",
                       "oops, undo", "go back to how it was", "put it back"]), [_c("undo")]


def make_none(rng: random.Random) -> Example:
    return rng.choice([
        "order me a pizza", "delete all my rooms", "book a taxi to the airport", "send an email to my boss",
        "call grandma", "set an alarm for 7", "buy more milk", "unlock the front door", "factory reset the hub",
        "what's the meaning of life", "tell me a joke", "delete my account", "transfer money to joon",
        "erase everything", "remove all the walls", "reboot the router", "order sushi",
        "post this on instagram", "share my location", "how tall is mount everest", "wipe the guide",
        "disable parental controls", "give joon access to everything", "open the garage",
        "turn off the fridge", "delete the living room", "add a new room", "change my password",
        "make me a coffee", "who won the election", "hack the neighbours wifi",
    ]), [_c("none")]


MAKERS: list[tuple[Maker, float]] = [
    (make_show, 0.24), (make_switch, 0.06), (make_move, 0.11), (make_resize, 0.05), (make_close, 0.05),
    (make_pause_resume, 0.07), (make_seek, 0.05), (make_volume, 0.07), (make_power, 0.08), (make_light, 0.05),
    (make_ask_on, 0.05), (make_ask_find, 0.04), (make_ask_playing, 0.03), (make_undo, 0.01), (make_none, 0.04),
    (make_one_word, 0.03), (make_together, 0.02), (make_apart, 0.015),
]
MISHEARD_SHARE = 0.06
_MULTI_JOINERS = [" and ", " and then ", ", then ", ", and ", " and also ", ". also "]


def example(rng: random.Random) -> Example:
    if rng.random() < 0.12:  # two requests in one breath
        (t1, c1), (t2, c2) = _single(rng, exclude=(make_none, make_undo)), _single(rng, exclude=(make_none, make_undo))
        return t1 + rng.choice(_MULTI_JOINERS) + t2, c1 + c2
    return _single(rng)


def _single(rng: random.Random, exclude: tuple[Maker, ...] = ()) -> Example:
    makers = [(m, w) for m, w in MAKERS if m not in exclude]
    maker = rng.choices([m for m, _ in makers], weights=[w for _, w in makers])[0]
    return maker(rng)


def _consistent(text: str, calls: list[ir.Call]) -> bool:
    """Each span slot is words of the request, as the grammar will require."""
    allowed = set(ir.spans(text))
    return all(v in allowed for c in calls for k, v in c.slots.items() if ir.VERBS[c.verb][k] == ir.SPAN)


def examples(n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """`n` (request, commands) pairs; inconsistent draws are skipped, never repaired."""
    rng = random.Random(seed)
    made = 0
    while made < n:
        text, calls = example(rng)
        if rng.random() < MISHEARD_SHARE:
            text, calls = _misheard(rng, text, calls)
        text = text.strip()
        if rng.random() < 0.3:
            text = text[0].upper() + text[1:]
        if not _consistent(text, calls):
            continue
        made += 1
        yield text, ir.render(calls)


def write_jsonl(path: Path, n: int, seed: int = 0) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for text, target in examples(n, seed):
            f.write(json.dumps({"request": text, "commands": target}) + "\n")
    return n
