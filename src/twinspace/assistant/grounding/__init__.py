"""Grounding: from words of the request to things in the live home.

The model copies words ("the football", "the wall to my right", "the corner lamp"); this
package finds what they name: content through the catalogue's search (`content`), panels by
what they show (`targets`), devices by name and kind, preferring the viewer's room
(`devices`), wearables (`wearables`), and places through spatial words and surface names
handed to the placement engine (`places`). It never guesses silently: when words name
nothing, or several things equally well, the caller gets a sentence to say (`world.Refusal`).

Requests may come from speech recognition, which mishears ("turn off the ramp", "foot
all"). Only when the words as heard name nothing does grounding try what they sound like
(`hearing`, over `soundalike`) against the home's own vocabulary: a close, clear winner is
used, a close call becomes a question naming the candidates ("I heard 'ramp' — did you mean
the corner lamp or the bedside lamp?"), and anything further off is refused as before.
"""

from twinspace.assistant.grounding.content import ContentMatch, channel_named, find_content, query_core, titles_in
from twinspace.assistant.grounding.devices import _device_scores, _pick_devices, find_devices, find_screen
from twinspace.assistant.grounding.places import Place, find_place
from twinspace.assistant.grounding.rooms import room_missing, rooms_named
from twinspace.assistant.grounding.targets import default_target, find_target, playing_targets
from twinspace.assistant.grounding.wearables import find_wearable
from twinspace.assistant.grounding.world import (DEICTIC, FILLER, KIND_WORDS, PHRASES, SCREEN_WORDS, SIDE_WORDS,
                                                 SURFACE_NOUNS, SYNONYMS, WEARABLE_WORDS, Candidate, Refusal, World,
                                                 content_words, words)

__all__ = [
    "DEICTIC", "FILLER", "KIND_WORDS", "PHRASES", "SCREEN_WORDS", "SIDE_WORDS", "SURFACE_NOUNS", "SYNONYMS",
    "WEARABLE_WORDS", "Candidate", "ContentMatch", "channel_named", "Place", "Refusal", "World", "content_words", "default_target",
    "find_content", "find_devices", "find_place", "find_screen", "find_target", "find_wearable", "playing_targets",
    "query_core", "room_missing", "rooms_named", "titles_in", "words",
    "_device_scores", "_pick_devices",
]
