"""Space kinds: what a twin is of, and the layouts a new virtual space starts from.

A **kind** says where a twin's geometry comes from and who may come in: a `home` is a real
place (scanned or imported, with real devices behind bridges; only its household pairs with
it), a `virtual` space is authored from a template (a cinema, a lounge: a layout, seats and
screens, no real devices) and may take invited guests from other homes. Both are the same
model (home/model.py) held by one authority, the hub that stores them; the kind only
changes how they are made and admitted. Adding a kind (a car cabin, a shop floor) is one
`SpaceKind` here plus its name in `home.model.SpaceKindName` (docs/spaces.md).

Plain Python: no framework, no store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from twinspace.errors import InvalidInput
from twinspace.home.model import Device, DeviceState, Person, Pose, Room, Seat, Surface

IDENTITY = (0.0, 0.0, 0.0, 1.0)
FLOOR_UP = (-math.sqrt(0.5), 0.0, 0.0, math.sqrt(0.5))  # local +Z turned to +Y


@dataclass(frozen=True)
class Layout:
    """A template's rooms (with their screens: `tv` devices in front of SCREEN surfaces) and seats."""

    rooms: list[Room]
    seats: list[Seat]


Template = Callable[[], Layout]


@dataclass(frozen=True)
class SpaceKind:
    name: str
    summary: str
    authored: bool  # made from a template by the hub, not scanned from a real place
    guests: bool  # other households may be invited into it
    templates: dict[str, Template] = field(default_factory=dict)


def _seat_rows(room: str, rows: list[tuple[float, float]], xs: list[float]) -> list[Seat]:
    """Seats facing −Z (the screen) in rows at (z, head height), one per x."""
    seats = []
    for r, (z, head) in enumerate(rows):
        for i, x in enumerate(xs):
            n = len(seats) + 1
            seats.append(Seat(id=f"seat-{n}", name=f"row {r + 1}, seat {i + 1}", room=room,
                              pose=Pose(position=(x, head, z), rotation=IDENTITY)))
    return seats


def _hall(room_id: str, name: str, width: float, depth: float, height: float, screen: tuple[float, float],
          screen_y: float, screen_name: str) -> Room:
    """A rectangular room centred on x = 0 whose front wall (z = −depth/2) holds one screen."""
    hw, hd = width / 2, depth / 2
    return Room(
        id=room_id, name=name, height=height, floor=[(-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd)],
        surfaces=[
            Surface(id=f"{room_id}-floor", label="FLOOR", pose=Pose(position=(0, 0, 0), rotation=FLOOR_UP),
                    size=(width, depth)),
            Surface(id=f"{room_id}-front", label="WALL_FACE", pose=Pose(position=(0, height / 2, -hd)),
                    size=(width, height)),
            Surface(id=f"{room_id}-screen-wall", label="SCREEN", pose=Pose(position=(0, screen_y, -hd + 0.01)),
                    size=screen),
        ],
        devices=[Device(id="screen", kind="tv", name=screen_name, pose=Pose(position=(0, screen_y, -hd + 0.02)),
                        size=screen, state=DeviceState())],
    )


def cinema() -> Layout:
    """A small cinema: a 6 m screen and two rows of four seats, the back row raised."""
    room = _hall("auditorium", "Auditorium", 8.0, 10.0, 5.0, (6.0, 3.375), 2.6, "Cinema screen")
    return Layout([room], _seat_rows(room.id, [(1.0, 1.15), (2.5, 1.45)], [-1.5, -0.5, 0.5, 1.5]))


def lounge() -> Layout:
    """A lounge: a 2.5 m screen on the wall and four places on a sofa."""
    room = _hall("lounge", "Lounge", 6.0, 6.0, 2.8, (2.5, 1.4), 1.4, "Lounge screen")
    return Layout([room], _seat_rows(room.id, [(1.5, 1.1)], [-1.2, -0.4, 0.4, 1.2]))


KINDS: dict[str, SpaceKind] = {
    "home": SpaceKind("home", "a household's real home: scanned or imported, real devices, its household only",
                      authored=False, guests=False),
    "virtual": SpaceKind("virtual", "a shared virtual place made from a template; other homes may be invited",
                         authored=True, guests=True, templates={"cinema": cinema, "lounge": lounge}),
}


def kind(name: str) -> SpaceKind:
    found = KINDS.get(name)
    if found is None:
        raise InvalidInput(f"there is no space kind {name!r}; kinds: {', '.join(KINDS)}")
    return found


def template(kind_name: str, name: str) -> Layout:
    """A fresh layout of the kind's template `name`."""
    k = kind(kind_name)
    if name not in k.templates:
        known = ", ".join(k.templates) or "none (this kind is not made from templates)"
        raise InvalidInput(f"a {k.name} space has no template {name!r}; templates: {known}")
    return k.templates[name]()


def guest_person(n: int, name: str) -> Person:
    """The n-th guest of a space, as its people list holds them."""
    return Person(id=f"guest-{n}", name=name)
