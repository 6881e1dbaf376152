"""The home's own words, given to Whisper as hot words so that "the arena" and "the floor
lamp" are heard as such rather than as their commoner sound-alikes."""

from __future__ import annotations

from typing import Any, Optional

from twinspace.home.model import Home
from twinspace.hub import Hub

MAX_CHARS = 500  # Whisper's prompt holds ~220 tokens; longer hot words also slow decoding
# Names alone pull short commands toward names ("pause the news" was heard as "post the news"):
# the words of the commands themselves go first.
COMMAND_WORDS = ("pause", "resume", "mute", "unmute", "volume", "louder", "quieter", "turn on", "turn off",
                 "switch", "put", "show", "move", "close", "bigger", "smaller", "dim", "brighter",
                 "skip", "rewind", "undo")


def hotwords(home: Home, catalog: Optional[Any] = None) -> str:
    names: list[str] = list(COMMAND_WORDS)
    # Devices, channels and apps: names Whisper does not know. Titles and rooms are left out:
    # mostly common words, and on the dev commands they made it hear worse (bench/voice.py).
    names += [d.name for _, d in home.devices()]
    names += [a.name for a in home.content.apps]
    if catalog is not None:
        names += [c.name for c in catalog.channels(home.id)]
    seen: set[str] = set()
    out: list[str] = []
    size = 0
    for name in names:
        key = name.strip().lower()
        if not key or key in seen or size + len(name) + 2 > MAX_CHARS:
            continue
        seen.add(key)
        out.append(name.strip())
        size += len(name) + 2
    return ", ".join(out)


def hotwords_for(hub: Hub, home_id: str) -> str:
    """The hot words of one of the hub's homes, with its catalogue's channels when it has one."""
    return hotwords(hub.home(home_id), getattr(hub.services, "catalog", None))
