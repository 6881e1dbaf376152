"""Grounding: from words of the request to things in the live home.

The model copies words ("the football", "the wall to my right", "the corner lamp"); this
module finds what they name: content through the catalogue's search, panels by what they
show, devices by name and kind (preferring the viewer's room), and places through spatial
words and surface names handed to the placement engine. It never guesses silently: when
words name nothing, or several things equally well, the caller gets a sentence to say.

Requests may come from speech recognition, which mishears ("turn off the ramp", "foot
all"). Only when the words as heard name nothing does grounding try what they sound like
(`soundalike`) against the home's own vocabulary: a close, clear winner is used, a close
call becomes a question naming the candidates ("I heard 'ramp' — did you mean the corner
lamp or the bedside lamp?"), and anything further off is refused as before.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Optional, Sequence, TypeVar, Union

from twinspace.assistant import ir, soundalike
from twinspace.assistant.numbers import parse_number
from twinspace.geometry import Viewer
from twinspace.home.model import Device, Home, Person, Room, XRDevice

# Words that frame a request rather than name a thing.
FILLER = frozenset("""a an the some me my our your this that these those please channel channels panel
    panels window screen one show shows programme program thing stuff bit little session sessions episode
    video clip""".split())
DEICTIC = frozenset({"it", "this", "that", "this one", "that one", "this panel", "that panel", "here",
                     "the one i'm looking at", "this window", "this screen", "what i'm watching",
                     "what i am watching", "what's playing", "whatever is playing"})
# What people call things vs what catalogues call them.
SYNONYMS = {
    "cartoons": "kids", "cartoon": "kids", "children": "kids", "childrens": "kids", "footy": "football",
    "soccer": "football", "film": "movie", "films": "movie", "movies": "movie", "flick": "movie",
    "telly": "tv", "television": "tv", "doco": "documentary", "documentaries": "documentary",
    "docs": "documentary", "cooking": "cook", "cookery": "cook", "weather": "weather",
    "lamp": "lamp", "lamps": "lamp", "lights": "light", "sofa": "couch", "settee": "couch",
    "telecast": "tv", "tune": "music", "tunes": "music", "songs": "music", "match": "match",
}
PHRASES = {"big light": "ceiling light", "main light": "ceiling light", "overhead light": "ceiling light",
           "top light": "ceiling light"}
SCREEN_WORDS = frozenset({"tv", "television", "telly", "screen", "projector", "monitor"})
SIDE_WORDS = {"left": "left", "right": "right", "behind": "behind", "back": "behind", "front": "front",
              "opposite": "front", "ahead": "front", "rear": "behind"}
SURFACE_NOUNS = {
    "wall": "WALL_FACE", "walls": "WALL_FACE", "table": "TABLE", "desk": "TABLE", "counter": "TABLE",
    "island": "TABLE", "couch": "COUCH", "sofa": "COUCH", "bed": "BED", "floor": "FLOOR",
    "ceiling": "CEILING", "window": "WINDOW_FRAME", "shelf": "STORAGE", "bookshelf": "STORAGE",
    "dresser": "STORAGE", "nightstand": "TABLE",
}
WEARABLE_WORDS = {"headset": "headset", "quest": "headset", "goggles": "headset", "vr": "headset",
                  "glasses": "glasses", "specs": "glasses"}


def words(text: str) -> list[str]:
    """The request's words with hyphenated ones split: "right-hand" is "right hand"."""
    return ir.words(text.replace("-", " "))


def content_words(text: str) -> list[str]:
    """Meaningful words, with synonyms mapped to the catalogue's vocabulary."""
    for phrase, meant in PHRASES.items():
        text = re.sub(rf"\b{phrase}\b", meant, text.lower())
    return [SYNONYMS.get(w, w) for w in words(text) if w not in FILLER]


@dataclass
class World:
    """What grounding may look at for one turn."""

    home: Home
    now: datetime
    viewer: Optional[Viewer] = None
    room: Optional[str] = None
    person: Optional[Person] = None
    device: Optional[str] = None  # the XR device the request came from
    focus: Optional[str] = None
    catalog: Any = None  # content.catalog.Catalog, when the hub has content
    utterance: str = ""  # the whole request, for what the model's commands left out

    @property
    def room_obj(self) -> Optional[Room]:
        return self.home.room(self.room) if self.room else None


@dataclass(frozen=True)
class Candidate:
    """One thing a question offers: its name as said in the question, and the words that
    name it plainly, to put in place of the misheard ones when it is chosen."""

    name: str  # "the floor lamp"
    words: str  # "the floor lamp", "Arena Sports"
    id: str = ""  # the device id, content ref or panel it stands for


@dataclass(frozen=True)
class Refusal:
    """Words that cannot be grounded, with the sentence to say instead."""

    reason: str
    question: bool = False  # it asks which of some close candidates was meant
    heard: str = ""  # the misheard words the question is about ("ramp")
    candidates: tuple[Candidate, ...] = ()  # what the question names, in the order said


# --- content ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ContentMatch:
    ref: str
    title: str
    rating: Optional[str] = None
    kind: str = "channel"


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def find_content(world: World, text: str) -> Union[ContentMatch, Refusal]:
    """The channel, title or app these words most plausibly mean, for this person."""
    query = " ".join(content_words(text))
    if {"channel", "number"} & set(words(text)):  # "channel five" is channel 5 ("one" is otherwise filler)
        query = _number(" ".join(w for w in words(text) if w in soundalike.NUMBER_WORDS or w.isdigit())) or query
    if not query:
        return Refusal(f"I'm not sure what you'd like to watch when you say {text!r}")
    found = _content_named(world, query)
    if found is not None:
        return found
    heard = _content_heard(world, query)  # misheard words, e.g. "the jas channel"
    if heard is not None:
        return heard
    if world.catalog is None:
        return Refusal(f"there is no channel guide or catalogue to find {text!r} in")
    return Refusal(f"I couldn't find anything called {text!r}")


def _content_named(world: World, query: str) -> Optional[ContentMatch]:
    """What the content words name as they are: an app, a channel, or the catalogue's best hit."""
    return _content_named_by(world, query)[0]


def _content_named_by(world: World, query: str) -> tuple[Optional[ContentMatch], str]:
    """`_content_named`, with the name that matched: the app's, the channel's or the hit's title
    (a programme's, when the match is the channel it is on)."""
    app = _find_app(world, query)
    if app is not None:
        return app, app.title
    catalog = world.catalog
    if catalog is None:
        return None, ""
    home_id = world.home.id
    channel = _find_channel(world, query) or _channel_or_app_sounding_like(world, query)
    if channel is not None:
        return channel, channel.title
    hits = catalog.search(home_id, query, at=world.now, limit=5)
    if not hits:
        return None, ""
    hit = _best_hit(hits, query)
    ref = hit.channel_ref if hit.kind == "programme" and hit.channel_ref else hit.ref
    item = catalog.resolve(home_id, ref)
    return ContentMatch(ref, getattr(item, "title", hit.title), getattr(item, "rating", None),
                        ref.split(":", 1)[0]), hit.title


def _best_hit(hits: list[Any], query: str) -> Any:
    """The search's best hit, except that among hits named exactly by the words, something
    watchable now (a title, a channel, a programme on air) beats a programme that is not on."""
    exact = [h for h in hits if " ".join(content_words(h.title)) == query]
    if not exact:
        return hits[0]
    return next((h for h in exact if h.kind != "programme" or h.live), exact[0])


def _find_app(world: World, query: str) -> Optional[ContentMatch]:
    best, score = None, 0.0
    for app in world.home.content.apps:
        name = " ".join(content_words(app.name)) or app.name.lower()
        s = 1.0 if query == name or query == app.id else _similar(query, name)
        if query.endswith(" app") and query[:-4] in (name, app.id):
            s = 1.0
        if s > score:
            best, score = app, s
    if best is not None and score >= 0.85:
        return ContentMatch(f"app:{best.id}", best.name, None, "app")
    return None


def _find_channel(world: World, query: str) -> Optional[ContentMatch]:
    """A channel named or numbered by the words, or the one channel of a named group."""
    channels = world.catalog.channels(world.home.id)
    q = query.replace(" ", "")
    # As heard, names may be split or merged and numbers spelled either way: "kid's tv" is
    # Kids TV and "news twenty four" is News 24.
    q_spoken = _spoken(query)
    for ch in channels:
        name = "".join(content_words(ch.name))
        if q and (q == name or q == ch.id.lower() or (ch.number and query in (ch.number, f"channel {ch.number}"))
                  or q_spoken == _spoken(" ".join(content_words(ch.name)))):
            return ContentMatch(ch.ref, ch.name, None, "channel")
    # "the kids channel", "the documentary channel": a group with one channel in it.
    groups: dict[str, list[Any]] = {}
    for ch in channels:
        if ch.group:
            for w in content_words(ch.group):
                groups.setdefault(w, []).append(ch)
    qwords = query.split()
    if len(qwords) == 1 and qwords[0] in groups and len(groups[qwords[0]]) == 1:
        ch = groups[qwords[0]][0]
        return ContentMatch(ch.ref, ch.name, None, "channel")
    # A word of a channel's name that no other channel shares ("the weather", "cooking").
    for w in qwords:
        owners = [ch for ch in channels if w in content_words(ch.name) or any(
            _similar(w, cw) > 0.85 for cw in content_words(ch.name) if len(cw) > 3)]
        if len(owners) == 1 and len(qwords) <= 2 and w not in ("tv", "news", "one", "two", "plus", "live"):
            return ContentMatch(owners[0].ref, owners[0].name, None, "channel")
    return None


def _spoken(text: str) -> str:
    """Words as said, for comparing names: numbers spelled, no spaces or apostrophes."""
    return re.sub(r"[\s'’]+", "", soundalike.spelled(text))


def _number(query: str) -> Optional[str]:
    """'five', '5', 'twenty four' as a number ('5', '24'), when that is all the words say."""
    ws = query.split()
    if not ws or not all(w.isdigit() or w in soundalike.NUMBER_WORDS for w in ws):
        return None
    n = parse_number(query)
    return str(int(n)) if n is not None and n == int(n) else None


# --- misheard words ----------------------------------------------------------------------
# Only reached when the words as heard name nothing (or several things, and some word named
# nothing). A word is replaced by what it sounds like only if that is a clear winner in the
# home's vocabulary and leads to one thing; a close call is asked about, naming candidates.

# Words never taken for misheard ones: they frame the request, say where or when, or are
# the verbs a span may have caught ("send", not "sound"; "right", not "light").
KEEP_WORDS = frozenset("""in on of to at by for and or all everything off up down it its is the with from
    over under next near beside above below here there please now tonight today tomorrow later live new
    latest again more just can could would will you i i'm me my what what's whats when where which who how
    while instead turn switch put set make get show play watch open close start stop pause send move bring
    take dim brighten see hear full half way hand side wall room volume sound loud louder quiet quieter
    bright brighter big bigger small smaller size nice time minute minutes mins second seconds percent
    too won""".split()) | frozenset(SIDE_WORDS) | frozenset(SURFACE_NOUNS) | frozenset(WEARABLE_WORDS) | frozenset(
    soundalike.NUMBER_WORDS)
MAX_ALTERNATIVES = 6
NAME_SURE = 0.88  # a whole channel or app name sounding like the words, beating the search
GUIDE_HOURS = (0, 2, 4, 6, 9, 12, 18, 24)  # the guide's programmes at these hours from now are words too

T = TypeVar("T")


@dataclass(frozen=True)
class _Reading:
    """One way to read misheard words: the words with the meanings chosen put in."""

    words: list[str]
    meant: list[str]  # the chosen meanings' words
    close: bool  # every misheard word was heard close to its meaning


def _heard_alternatives(ws: list[str], vocabulary: Iterable[str], keep: Iterable[str] = ()
                        ) -> Optional[tuple[list[soundalike.Correction], list[_Reading]]]:
    """The misheard words in `ws` and the readings worth trying, each with whether every word
    of it was heard close to its meaning (a reading may still be one of several). None when
    no word, or not every word, the vocabulary lacks sounds close to something in it."""
    numbers = {w for w in ws if w.isdigit()}
    fixes = soundalike.correct(ws, vocabulary, keep=KEEP_WORDS | FILLER | numbers | set(keep))
    useful = [c for c in fixes if c.options]
    if not useful or len(useful) < len(fixes):  # a word that sounds like nothing here: not misheard
        return None
    close = all(c.close for c in useful)
    readings = []
    for combo in itertools.islice(itertools.product(*(c.options for c in useful)), MAX_ALTERNATIVES):
        choice = {c.start: meant for c, meant in zip(useful, combo)}
        readings.append(_Reading(soundalike.apply(ws, fixes, choice), " ".join(combo).split(), close))
    return useful, readings


def _heard_phrase(fixes: Sequence[soundalike.Correction]) -> str:
    return " ".join(c.heard for c in fixes)


def _question(fixes: Sequence[soundalike.Correction], found: list[Candidate]) -> Refusal:
    """'I heard 'ramp' — did you mean the floor lamp or the desk lamp?'"""
    candidates: list[Candidate] = []
    for c in found:  # each name once, first found first
        if all(c.name != d.name for d in candidates):
            candidates.append(c)
    names = [c.name for c in candidates]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    heard = _heard_phrase(fixes)
    return Refusal(f"I heard {heard!r} — did you mean {listed}?", question=True, heard=heard,
                   candidates=tuple(candidates))


def _resolve_heard(fixes: Sequence[soundalike.Correction], readings: list[_Reading],
                   resolve: Callable[[_Reading], list[T]], ident: Callable[[T], str],
                   name: Callable[[T], str], plain: Optional[Callable[[T, _Reading], str]] = None
                   ) -> Optional[Union[list[T], Refusal]]:
    """Try each reading: the thing found when every reading that finds anything finds the same
    one thing and the words were heard close to it; a question naming what the readings found
    otherwise; None when they found nothing. `plain` gives the words that name a thing for a
    reading that found it (its name, unless said otherwise)."""
    found: list[tuple[list[T], bool, _Reading]] = [(resolve(r), r.close, r) for r in readings]
    found = [f for f in found if f[0]]
    if not found:
        return None
    outcomes = {tuple(ident(t) for t in things) for things, _, _ in found}
    if len(outcomes) == 1 and found[0][1] and len(found[0][0]) == 1:
        return found[0][0]
    plain = plain or (lambda t, _: name(t))
    return _question(fixes, [Candidate(name(t), plain(t, r), ident(t)) for things, _, r in found for t in things][:4])


def _channel_or_app_sounding_like(world: World, query: str) -> Optional[ContentMatch]:
    """A channel or app whose whole name sounds like the words ("sports to" is Sports Two),
    when it clearly beats every other name."""
    names: list[tuple[str, ContentMatch]] = [
        (" ".join(content_words(ch.name)) or ch.name, ContentMatch(ch.ref, ch.name, None, "channel"))
        for ch in world.catalog.channels(world.home.id)]
    names += [(" ".join(content_words(a.name)) or a.name, ContentMatch(f"app:{a.id}", a.name, None, "app"))
              for a in world.home.content.apps]
    scored = sorted(((soundalike.similarity(query, n), m) for n, m in names), key=lambda e: -e[0])
    if not scored or scored[0][0] < NAME_SURE:
        return None
    best = scored[0][1]
    runner = next((s for s, m in scored[1:] if m.ref != best.ref), 0.0)
    return best if runner <= scored[0][0] - soundalike.MARGIN else None


def _content_vocabulary(world: World) -> set[str]:
    """Words and names the home's content is called by: apps, channels and their groups,
    on-demand titles, and the guide's programmes and categories over the next day."""
    names: list[str] = [a.name for a in world.home.content.apps] + list(SYNONYMS)
    catalog = world.catalog
    if catalog is not None:
        home_id = world.home.id
        for ch in catalog.channels(home_id):
            names += [ch.name, ch.group or ""]
        try:
            names += [v.title for v in catalog.vod_titles(home_id)]
            for hours in GUIDE_HOURS:
                for listing in catalog.at(home_id, world.now + timedelta(hours=hours)):
                    names += [listing.programme.title, *listing.programme.categories]
        except Exception:  # noqa: BLE001 - without a guide or shelf there are fewer words, that is all
            pass
    vocab: set[str] = set()
    for n in dict.fromkeys(names):
        ws = content_words(n)
        vocab.update(w for w in ws if len(w) > 1)
        if 1 < len(ws) <= soundalike.MAX_WINDOW:
            vocab.add(" ".join(ws))  # a name heard as one word or split differently: "kidstv"
    return vocab


def _content_heard(world: World, query: str) -> Optional[Union[ContentMatch, Refusal]]:
    if world.catalog is None and not world.home.content.apps:
        return None
    heard = _heard_alternatives(query.split(), _content_vocabulary(world))
    if heard is None:
        return None
    fixes, readings = heard

    def resolve(reading: _Reading) -> list[tuple[ContentMatch, str]]:
        # Only a match named by the corrected words counts, not whatever the search finds for
        # them: "ten" must find a title with "ten" in it, not one starting "tennis".
        match, name = _content_named_by(world, " ".join(reading.words))
        if match is None:
            return []
        said = {_spoken(w) for w in content_words(name) + content_words(match.title)}
        return [(match, name)] if all(_spoken(w) in said for w in reading.meant) else []

    def title(found: tuple[ContentMatch, str]) -> str:
        match, name = found
        return match.title if not name or name == match.title else f"{name} on {match.title}"

    found = _resolve_heard(fixes, readings, resolve, lambda f: f[0].ref, title, lambda f, _: f[0].title)
    return found[0][0] if isinstance(found, list) else found


# --- panels and playing things ---------------------------------------------------------

def _describe(world: World, ref: str) -> list[str]:
    """Words that describe what a panel or screen shows: names, genres, the programme on now."""
    kind, _, ident = ref.partition(":")
    out = [kind]
    catalog = world.catalog
    if kind == "app":
        app = next((a for a in world.home.content.apps if a.id == ident), None)
        return out + (content_words(app.name) if app else [ident])
    if catalog is None:
        return out + content_words(ident.replace("-", " "))
    try:
        item = catalog.resolve(world.home.id, ref)
    except Exception:  # noqa: BLE001 - a panel showing something the catalogue lost still counts
        return out + content_words(ident.replace("-", " "))
    out += content_words(item.title)
    if kind == "vod":
        out += content_words(getattr(item, "kind", "")) + [g for genre in getattr(item, "genres", [])
                                                            for g in content_words(genre)]
    if kind == "channel":
        out += content_words(getattr(item, "group", "") or "")
        try:
            for listing in catalog.at(world.home.id, world.now, channel=ident):
                out += content_words(listing.programme.title)
                out += [c for cat in listing.programme.categories for c in content_words(cat)]
        except Exception:  # noqa: BLE001 - no guide for this channel
            pass
        if any(w.startswith("sport") for w in out):
            out += ["match", "game"]  # what people call whatever sport is on
    return out


def playing_targets(world: World) -> list[str]:
    """Panels and devices with something playing, most recently started first."""
    home = world.home
    targets = [t for t, p in home.playback.items() if p.playing]
    order = {p.id: i for i, p in enumerate(home.panels)}
    return sorted(targets, key=lambda t: -order.get(t, -1))


def default_target(world: World) -> Union[str, Refusal]:
    """The spec's rule: the panel looked at, else the only (or latest) playing target."""
    if world.focus and (world.home.panel(world.focus) or world.focus in world.home.playback):
        return world.focus
    playing = playing_targets(world)
    if len(playing) == 1:
        return playing[0]
    panels = [p.id for p in world.home.panels if p.id in world.home.playback]
    if len(panels) == 1:
        return panels[0]
    if not playing:
        return Refusal("nothing is playing right now")
    # Several play: the request itself may name one ("set the volume of the news to 20").
    named = _target_by_words(world, content_words(world.utterance), threshold=1.0) if world.utterance else None
    if named is not None:
        return named
    return Refusal("several things are playing; say which one, e.g. \"pause the news\"")


def _target_by_words(world: World, ws: list[str], threshold: float) -> Optional[str]:
    """The one playing target whose description contains one of the words exactly."""
    found = set()
    for target in playing_targets(world):
        panel = world.home.panel(target)
        ref = panel.content if panel else world.home.playback[target].content
        desc = set(_describe(world, ref))
        if any(w in desc and w not in ("channel", "vod", "app", "tv") for w in ws):
            found.add(target)
    return found.pop() if len(found) == 1 else None


def find_target(world: World, text: Optional[str], *, panels_only: bool = False) -> Union[str, Refusal]:
    """A panel (or a device with something on it) that the words point at."""
    if text is None or " ".join(words(text)) in DEICTIC or not content_words(text):
        return default_target(world)
    ws = content_words(text)
    home = world.home
    if not panels_only and set(ws) & SCREEN_WORDS | {"speaker", "soundbar"} & set(ws):
        dev = find_devices(world, text)
        if isinstance(dev, list) and len(dev) == 1:
            return dev[0].id
    side = next((SIDE_WORDS[w] for w in ws if w in SIDE_WORDS), None)
    scored = _target_scores(world, ws, side, panels_only)
    if not scored or scored[0][0] < 0.6:
        heard = _target_heard(world, ws, side, panels_only)
        if heard is not None:
            return heard
        what = " ".join(words(text))
        return Refusal(f"nothing open matches {what!r}" if home.panels or home.playback
                       else "nothing is open or playing right now")
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - 1e-9:
        names = " or ".join(t for _, t in scored[:2])
        return Refusal(f"{' '.join(words(text))!r} could be {names}; which one?")
    return scored[0][1]


def _target_candidates(world: World, panels_only: bool) -> list[tuple[str, set[str]]]:
    """Panels (and, unless panels only, devices playing something) with what describes them."""
    home = world.home
    candidates: list[str] = [p.id for p in home.panels]
    if not panels_only:
        candidates += [t for t in home.playback if home.panel(t) is None]
    out = []
    for target in candidates:
        panel = home.panel(target)
        out.append((target, set(_describe(world, panel.content if panel else home.playback[target].content))))
    return out


def _target_scores(world: World, ws: list[str], side: Optional[str], panels_only: bool) -> list[tuple[float, str]]:
    scored: list[tuple[float, str]] = []
    for target, desc in _target_candidates(world, panels_only):
        panel = world.home.panel(target)
        score = sum(1.0 if w in desc else max((_similar(w, d) for d in desc), default=0) * 0.8
                    for w in ws if w not in SIDE_WORDS) / max(1, len([w for w in ws if w not in SIDE_WORDS]))
        if side and panel is not None and world.viewer is not None:
            score += 1.0 if world.viewer.side_of(panel.pose.position) == side else -1.0
        if target == world.focus:
            score += 0.05
        scored.append((score, target))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored


def _target_heard(world: World, ws: list[str], side: Optional[str], panels_only: bool) -> Optional[Union[str, Refusal]]:
    """The open thing misheard words describe ("pause the foot all"), when one clearly is."""
    candidates = _target_candidates(world, panels_only)
    if not candidates:
        return None
    vocab = {w for _, desc in candidates for w in desc if w not in ("channel", "vod", "app")}
    heard = _heard_alternatives(ws, vocab, keep=set(SIDE_WORDS) | SCREEN_WORDS)
    if heard is None:
        return None
    fixes, readings = heard

    def resolve(reading: _Reading) -> list[str]:
        scored = _target_scores(world, reading.words, side, panels_only)
        if not scored or scored[0][0] < 0.6:
            return []
        return [t for s, t in scored if s >= scored[0][0] - 1e-9]

    def name(target: str) -> str:
        return f"panel {target}" if world.home.panel(target) else target

    # A panel is named by the words that found it ("the football"), not by its id.
    found = _resolve_heard(fixes, readings, resolve, lambda t: t, name, lambda _, r: " ".join(r.words))
    return found[0] if isinstance(found, list) else found


# --- devices ---------------------------------------------------------------------------

def find_devices(world: World, text: str, kind: Optional[str] = None) -> Union[list[Device], Refusal]:
    """Devices the words name, preferring exact names, then the viewer's room.

    Plural words ("the lights") may name several devices; singular ones name one. Words that
    name no device may be misheard ones ("the ramp"): see `_devices_heard`.
    """
    if not any(kind is None or d.kind == kind for _, d in world.home.devices()):
        return Refusal("there is no such device in this home")
    found = _pick_devices(world, text, _device_scores(world, text, kind))
    if isinstance(found, Refusal):
        heard = _devices_heard(world, text, kind)
        if heard is not None:
            return heard
    return found


def _device_names(d: Device) -> list[str]:
    """The words a device answers to: its name's, its kind's and what people call that kind."""
    name = content_words(d.name) + [SYNONYMS.get(d.kind, d.kind)]
    if d.kind == "tv":
        name += ["tv", "screen"]
    if d.kind == "speaker":
        name += ["speaker", "soundbar", "sound"]
    if d.kind == "light":
        name += ["light", "lamp"]
    return name


def _names_word(w: str, name: list[str]) -> bool:
    return w in name or any(_similar(w, n) > 0.84 for n in name if len(n) > 3)


def _device_scores(world: World, text: str, kind: Optional[str]) -> list[tuple[float, str, Device]]:
    """Devices with any word of the text in their names, best first."""
    ws = content_words(text)
    home = world.home
    devices = [(r, d) for r, d in home.devices() if kind is None or d.kind == kind]
    rooms_named = [r for r in home.rooms if set(content_words(r.name)) & set(ws) and len(content_words(r.name)) > 0
                   and all(w in ws for w in content_words(r.name))]
    scored = []
    for room, d in devices:
        name = _device_names(d)
        hit = [w for w in ws if _names_word(w, name)]
        if not hit:
            continue
        # The words of its name count most; being in the viewer's room breaks ties.
        score = 2 * len(hit) / max(len(ws), 1) + len(hit) / (len(name) + 1) * 0.5
        if rooms_named:
            score += 1.0 if room in rooms_named else -2.0
        elif world.room and room.id == world.room:
            score += 0.3
        scored.append((score, d.id, d))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored


def _is_plural(text: str) -> bool:
    return any(w in ("lights", "lamps", "all", "everything") for w in words(text))


def _tied(scored: list[tuple[float, str, Device]]) -> list[Device]:
    return [d for s, _, d in scored if s >= scored[0][0] - 1e-9] if scored else []


def _pick_devices(world: World, text: str, scored: list[tuple[float, str, Device]]) -> Union[list[Device], Refusal]:
    if not scored:
        room = f" in the {world.room_obj.name.lower()}" if world.room_obj else ""
        return Refusal(f"I can't find {' '.join(words(text))!r}{room}")
    tied = _tied(scored)
    if _is_plural(text):
        return tied
    if len(tied) > 1:
        return Refusal(f"which one: {', '.join(d.name for d in tied)}?")
    return [scored[0][2]]


def _device_vocabulary(world: World, kind: Optional[str]) -> set[str]:
    vocab = {"lights", "lamps", "speakers", "screens"}
    for _, d in world.home.devices():
        if kind is None or d.kind == kind:
            names = _device_names(d)
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
    names = {n for _, d in world.home.devices() for n in _device_names(d)}
    heard = _heard_alternatives(ws, vocab, keep={w for w in ws if _names_word(w, list(names))})
    if heard is None:
        return None
    fixes, readings = heard

    def resolve(reading: _Reading) -> list[Device]:
        text = " ".join(reading.words)
        scored = _device_scores(world, text, kind)
        if not scored:
            return []
        return _tied(scored) if _is_plural(text) or len(_tied(scored)) > 1 else [scored[0][2]]

    found = _resolve_heard(fixes, readings, resolve, lambda d: d.id, _device_title)
    if isinstance(found, list) or found is None:
        return found
    # One sure reading naming several devices, e.g. "the ramps" for the lamps: those are meant.
    if len(readings) == 1 and readings[0].close and _is_plural(" ".join(readings[0].words)):
        return resolve(readings[0])
    return found


def find_wearable(world: World, text: str) -> Optional[XRDevice]:
    ws = words(text)
    kind = next((WEARABLE_WORDS[w] for w in ws if w in WEARABLE_WORDS), None)
    if kind is None:
        return None
    mine = [x for x in world.home.xr_devices if x.kind == kind and world.person and x.owner == world.person.id]
    anyone = [x for x in world.home.xr_devices if x.kind == kind]
    pool = mine or anyone
    return pool[0] if pool else None


# --- places ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """Where the words put something: a placement request, a device, a wearable or a panel."""

    placement: Optional[dict[str, Any]] = None
    device: Optional[str] = None
    wearable: Optional[str] = None
    panel: Optional[str] = None


_ROOM_HINT = re.compile(r"^(.*?)\s*(wall|walls|room|table|desk)?$")


def find_place(world: World, text: Optional[str]) -> Union[Place, Refusal]:
    if text is None:
        return Place(placement={})
    ws = words(text)
    wset = set(ws)
    wearable = find_wearable(world, text)
    if wearable is not None:
        return Place(wearable=wearable.id)
    if wset & SCREEN_WORDS and not wset & {"wall", "beside", "next", "above", "below", "under"}:
        found = find_devices(world, text, kind="tv")
        if isinstance(found, Refusal):
            return Refusal(f"there is no TV {'in the ' + world.room_obj.name.lower() if world.room_obj else 'here'}")
        return Place(device=found[0].id)
    if "panel" in wset or ("window" in wset and world.home.panels):
        target = find_target(world, text, panels_only=True)
        if not isinstance(target, Refusal):
            return Place(panel=target)
    room = world.room_obj
    named_surface = _surface_named(room, ws) if room is not None else None
    if named_surface is not None:
        return Place(placement={"surface": named_surface})
    # A room named in the words must be the viewer's room (placement works where they are).
    room_words = [w for w in ws if w not in FILLER and w not in SIDE_WORDS and w not in SURFACE_NOUNS
                  and w not in ("to", "on", "of", "in", "hand", "side", "me", "next", "front", "wall")]
    known_rooms = {w for r in world.home.rooms for w in content_words(r.name) + content_words(r.id)}
    named_room = [w for w in room_words if w in known_rooms or w in _ROOM_WORDS]
    if named_room and (room is None or not set(named_room) & set(content_words(room.name) + content_words(room.id))):
        other = next((r for r in world.home.rooms if set(named_room) & set(content_words(r.name) + content_words(r.id))), None)
        if other is None:
            return Refusal(f"there is no {' '.join(named_room)} in this home")
        return Refusal(f"you're in the {room.name.lower() if room else 'another room'}, not the {other.name.lower()}; "
                       "I can only place panels in the room you're in")
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


_ROOM_WORDS = frozenset({"kitchen", "bedroom", "bathroom", "garage", "garden", "study", "office", "hall",
                         "hallway", "attic", "basement", "nursery", "lounge", "den", "dining", "living"})
