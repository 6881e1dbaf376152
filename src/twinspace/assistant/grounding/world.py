"""What grounding looks at and answers with: the turn's world, the request's words, refusals.

The word lists here are shared by every kind of grounding: what frames a request rather than
names a thing, what people call things versus what the home and its catalogue call them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from twinspace.assistant import ir
from twinspace.geometry import Viewer
from twinspace.home.model import Home, Person, Room

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
# Words that say what kind of thing a title is, not which one (after SYNONYMS: "film" is "movie").
KIND_WORDS = frozenset("tv series serial movie season miniseries called named titled".split())
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


def similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
