"""Replies rewritten to be heard."""

from twinspace.voice.speakable import speakable


def test_surface_ids_and_asides_become_speech() -> None:
    assert speakable(["Opened Arena Sports (now: Tennis Classics) on lounge/wall-east"]) == (
        "Opened Arena Sports on the east wall. Now showing Tennis Classics.")
    assert speakable(["Playing Film Club (now: The Big Wave) on panel p1"]) == (
        "Playing Film Club on the panel. Now showing The Big Wave.")
    assert speakable(["Moved the panel on lounge/coffee-table", "Floor lamp is now on"]) == (
        "Moved the panel on the coffee table. Floor lamp is now on.")


def test_plain_sentences_are_kept() -> None:
    assert speakable(["I heard 'ramp' — did you mean the floor lamp or the ceiling light?"]) == (
        "I heard 'ramp' — did you mean the floor lamp or the ceiling light?")
    assert speakable(["", "  "]) == ""
    assert speakable(["Set to 25%"]) == "Set to 25%."
