"""The home's own words, given to Whisper as hot words so that "the arena" and "the floor
lamp" are heard as such rather than as their commoner sound-alikes."""

from __future__ import annotations

from typing import Any, Optional

from twinspace.home.model import Home

MAX_CHARS = 400  # Whisper's prompt holds ~220 tokens; longer hot words also slow decoding


def hotwords(home: Home, catalog: Optional[Any] = None) -> str:
    names: list[str] = []
    names += [d.name for _, d in home.devices()]
    names += [r.name for r in home.rooms]
    names += [a.name for a in home.content.apps]
    if catalog is not None:
        names += [c.name for c in catalog.channels(home.id)]
        names += [t.title for t in catalog.vod_titles(home.id)]
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
