"""Room grounding: which of the home's rooms the words name, and room words that name none.

"The kitchen light" names the kitchen by a word of its name or id; "the living room TV" names
a room called Lounge too. A room word the home has no room for ("the bathroom light" in a
home without a bathroom) names nothing, and a request about it must change nothing.
"""

from __future__ import annotations

from typing import Iterable, Optional

from twinspace.assistant.grounding.world import World, content_words
from twinspace.home.model import Room

ROOM_WORDS = frozenset("""kitchen bedroom bathroom garage garden study office hall hallway attic basement
    nursery lounge den dining living toilet loo porch patio balcony laundry utility pantry cellar shed
    conservatory playroom landing""".split())
# What people call the same room: "the living room" of a home whose room is the Lounge.
ROOM_ALIASES = {"living": {"lounge", "sitting"}, "lounge": {"living", "sitting"}, "sitting": {"living", "lounge"},
                "toilet": {"bathroom", "loo"}, "loo": {"bathroom", "toilet"}, "hallway": {"hall"}, "hall": {"hallway"}}
_GENERIC = frozenset({"room", "s", "and"})


def room_words(room: Room) -> set[str]:
    """The words that name a room: those of its name and id, without "room"."""
    ws = set(content_words(room.name)) | set(content_words(room.id.replace("-", " ").replace("_", " ")))
    ws |= {w.removesuffix("'s") for w in ws}
    return ws - _GENERIC


def _names(w: str, names: set[str]) -> bool:
    return w in names or bool(ROOM_ALIASES.get(w, set()) & names)


def rooms_named(world: World, ws: Iterable[str]) -> list[Room]:
    """The rooms a word of the words names, in the home's order."""
    ws = list(ws)
    return [r for r in world.home.rooms if any(_names(w, room_words(r)) for w in ws)]


def room_missing(world: World, ws: Iterable[str], also_names: Iterable[str] = ()) -> Optional[str]:
    """A room word the words say that names no room of the home (nor, in `also_names`, a
    device), e.g. "bathroom"; None when every room word said is a room here."""
    known = set(also_names)
    for w in ws:
        if w in ROOM_WORDS and w not in known and not any(_names(w, room_words(r)) for r in world.home.rooms):
            return w
    return None
