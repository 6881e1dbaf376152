"""Hosting a virtual space: making one from a template, and seating and unseating guests.

The hub that creates a space is its one authority: the space is stored on it like a home
(its own id, journal, live document and watch groups) and every change to it goes through
`Hub.apply` / `Hub.administer` there. A space is hosted by a home of this hub: that home's
people are the space's people (its owner owns the space) and its content catalogue is the
space's. Guests from other homes are added as people of the space only (`guest-N`), each
in a seat of their own; nothing of the host home is copied to them but its content lineup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from twinspace.actions.registry import Caller
from twinspace.errors import Conflict, Forbidden, InvalidInput, NotFound
from twinspace.home.homefile import HomeBundle
from twinspace.home.model import Home, Person
from twinspace.hub import Hub
from twinspace.spaces import kinds

MAX_NAME = 100


@dataclass(frozen=True)
class SeatedGuest:
    person: str
    seat: str


def _space_id(hub: Hub, host: str, template: str) -> str:
    taken = set(hub.home_ids())
    for n in range(1, 1000):
        candidate = f"{host}-{template}" if n == 1 else f"{host}-{template}-{n}"
        if candidate not in taken:
            return candidate
    raise Conflict(f"{host} already hosts too many {template} spaces; remove one first")


def create_space(hub: Hub, caller: Caller, template: str, name: Optional[str] = None,
                 space_id: Optional[str] = None, kind: str = "virtual") -> Home:
    """A new space of `kind` made from `template`, hosted by the caller's home; the caller
    (its owner) owns it and sits in its first seat."""
    if not kinds.kind(kind).authored:
        raise InvalidInput(f"a {kind} is not made from a template; import it (`twinspace import`)")
    layout = kinds.template(kind, template)
    host = hub.home(caller.home_id)
    if host.kind != "home":
        raise InvalidInput("a space is hosted by a home; this token belongs to a space")
    if not caller.is_owner or caller.person is None:
        raise Forbidden("only the home's owner can create a space")
    name = (name or f"{host.name} {template}").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"give the space a name of 1-{MAX_NAME} characters")
    if space_id is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", space_id):
        raise InvalidInput("a space id is 1-63 lowercase letters, digits and dashes, e.g. 'movie-night'")
    if space_id is not None and space_id in hub.home_ids():
        raise Conflict(f"there is already a home or space {space_id!r} on this hub")
    seats = [s.model_copy() for s in layout.seats]
    seats[0].person = caller.person
    space = Home(kind=kind, id=space_id or _space_id(hub, host.id, template), name=name, host=host.id,
                 owner=caller.person, people=[p.model_copy() for p in host.people], rooms=layout.rooms,
                 content=host.content.model_copy(deep=True), seats=seats)
    return hub.import_bundle(HomeBundle(space, hub.store.files(host.id)))


def spaces_of(hub: Hub, home_id: str) -> list[Home]:
    """The virtual spaces a home of this hub hosts."""
    out = []
    for hid in hub.home_ids():
        try:
            h = hub.home(hid)
        except NotFound:  # removed while listing
            continue
        if h.kind != "home" and h.host == home_id:
            out.append(h)
    return out


def hosted_space(hub: Hub, caller: Caller, space_id: str) -> Home:
    """The space `space_id` if the caller's home hosts it; the same refusal whether it exists or not."""
    try:
        space = hub.home(space_id)
    except NotFound:
        space = None
    if space is None or space.kind == "home" or space.host != caller.home_id:
        raise NotFound(f"this home hosts no space {space_id!r}")
    return space


def _owner_of(space: Home) -> Caller:
    return Caller(home_id=space.id, person=space.owner_id(), role="owner")


def seat_guest(hub: Hub, space_id: str, name: str) -> SeatedGuest:
    """Add a guest to the space as a new person in the first free seat (Conflict when full)."""
    space = hub.home(space_id)
    if not kinds.kind(space.kind).guests:
        raise Forbidden(f"a {space.kind} takes no guests from other homes")
    name = name.strip()[:MAX_NAME] or "Guest"
    seated: dict[str, str] = {}

    def change(home: Home) -> None:
        free = next((s for s in home.seats if s.person is None), None)
        if free is None:
            raise Conflict(f"every seat in {home.name} is taken; free one (revoke an invite) first")
        numbers = [int(p.id[6:]) for p in home.people if re.fullmatch(r"guest-\d+", p.id)]
        person: Person = kinds.guest_person(max(numbers, default=0) + 1, name)
        home.people = [*home.people, person]
        free.person = person.id
        seated.update(person=person.id, seat=free.id)

    hub.administer(space_id, _owner_of(space), action="space.guest_joined", args={"name": name},
                   message=f"{name} joined as a guest", change=change)
    return SeatedGuest(seated["person"], seated["seat"])


def unseat_guest(hub: Hub, space_id: str, guest: str) -> None:
    """Take a guest out of the space: their seat is free and they are no longer among its people."""
    try:
        space = hub.home(space_id)
    except NotFound:
        return  # the space is gone, and the guest with it
    if space.person(guest) is None:
        return

    def change(home: Home) -> None:
        for seat in home.seats:
            if seat.person == guest:
                seat.person = None
        home.people = [p for p in home.people if p.id != guest]
        for session in home.playback.values():
            if session.person == guest:
                session.person = None

    hub.administer(space_id, _owner_of(space), action="space.guest_left", args={"guest": guest},
                   message=f"{space.person(guest).name} left", change=change)  # type: ignore[union-attr]
