"""The copy of a home an action changes, so that a refused change leaves nothing behind.

Nearly every action changes only the home's live state: devices' states, panels, playback
sessions, seats. `live_copy` gives those fresh objects and shares the rest (rooms' outlines
and surfaces, people, apps) with the home it came from, which is a fifth of the CPU of a
whole copy (`whole_copy`, rebuilt from JSON) on a typical home; an action that reshapes
the home (a captured room, a merged app list) takes a whole copy.

Sharing is only safe while the action keeps to what it was given fresh, so the hub checks
that the original is unchanged afterwards (`check_unchanged`): an action that changes a
shared part is a bug, refused loudly rather than left to change a state other changes
were built on.
"""

from __future__ import annotations

from twinspace.home.model import Device, Home


class SharedStateChanged(RuntimeError):
    """An action changed a part of the home its copy shares with the original."""


def whole_copy(doc: str) -> Home:
    """A home of its own, from the home's JSON: as the store reads a home back, and a third
    of the time of `model_copy(deep=True)`."""
    return Home.model_validate_json(doc)


def live_copy(home: Home) -> Home:
    """A copy whose live state (device states, panels, playback, seats) is its own; the
    action may change those fields, add or drop entries, not change anything else in place."""
    return home.model_copy(update={
        "rooms": [room.model_copy(update={"devices": [_device(d) for d in room.devices]}) for room in home.rooms],
        "panels": [panel.model_copy() for panel in home.panels],
        "playback": {target: session.model_copy() for target, session in home.playback.items()},
        "seats": [seat.model_copy() for seat in home.seats],
    })


def _device(device: Device) -> Device:
    # A device state holds only scalars: a shallow copy is a whole one.
    return device.model_copy(update=None if device.state is None else {"state": device.state.model_copy()})


def check_unchanged(original: Home, doc: str, action: str) -> None:
    """Raise if `original` no longer matches `doc`, its JSON from before `action` ran on a copy."""
    if original.model_dump_json() != doc:
        raise SharedStateChanged(
            f"{action} changed a part of the home it shares with the state it was built on; "
            "an action that changes more than devices' states, panels, playback and seats must "
            "be registered with reshapes=True")
