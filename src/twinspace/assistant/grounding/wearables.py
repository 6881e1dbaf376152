"""Wearable grounding: the headset or glasses the words name, the speaker's own first."""

from __future__ import annotations

from typing import Optional

from twinspace.assistant.grounding.world import WEARABLE_WORDS, World, words
from twinspace.home.model import XRDevice


def find_wearable(world: World, text: str) -> Optional[XRDevice]:
    ws = words(text)
    kind = next((WEARABLE_WORDS[w] for w in ws if w in WEARABLE_WORDS), None)
    if kind is None:
        return None
    mine = [x for x in world.home.xr_devices if x.kind == kind and world.person and x.owner == world.person.id]
    anyone = [x for x in world.home.xr_devices if x.kind == kind]
    pool = mine or anyone
    return pool[0] if pool else None
