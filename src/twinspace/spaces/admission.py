"""Who reaches which twin: the one rule every route, document and socket applies.

- A token reaches the home (or space) it was issued for.
- A home's own token also reaches the virtual spaces that home hosts, as the same person
  (the owner stays the owner).
- A guest token (from a redeemed invite, spaces/invites.py) is issued for one space and
  reaches that space only: never its host's home, never a route that is not about a twin
  (the assistant, voice, pairing), and in the space only the actions a guest may take.

Refusals say the same whether the other home exists or not: a token learns nothing about it.
"""

from __future__ import annotations

from typing import Any

from twinspace.actions.registry import Caller
from twinspace.errors import Forbidden, NotFound

GUEST = "guest"
NOT_PAIRED = "this device is not paired with that home"
GUEST_ONLY_SPACE = ("this is a guest pass to one shared space; it reaches only that space "
                    "(/api/v1/homes/{space}, its live document and its screens)")
# What a guest may do in a space: watch together, take a free seat, and read. Set-up (panels,
# rooms, devices) stays with the host's household.
GUEST_ACTIONS = ("playback.", "cowatch.", "seat.")


def admit(hub, who: Caller, home_id: str) -> Caller:  # noqa: ANN001 - twinspace.hub.Hub (imports this module)
    """The caller as it acts on `home_id`, or Forbidden."""
    if who.home_id == home_id:
        return who
    if who.role != GUEST:
        try:
            space = hub.home(home_id)
        except NotFound:
            space = None
        if space is not None and space.kind != "home" and space.host == who.home_id \
                and (who.person is None or space.person(who.person) is not None):
            return Caller(home_id=home_id, person=who.person, device=who.device,
                          role=who.role)
    raise Forbidden(NOT_PAIRED)


def refuse_guest(who: Caller) -> Caller:
    """For routes that are not about one twin: a guest token has no business there."""
    if who.role == GUEST:
        raise Forbidden(GUEST_ONLY_SPACE)
    return who


def undo_keeps_seats(current: Any, restored: Any) -> None:
    """Who is in a space changes only by invites, and where they sit only by their own
    `seat.take`: an undo may not seat, unseat or move anyone (a revoked guest brought back
    without a token, a guest's seat taken from under them)."""
    if [(s.id, s.person) for s in current.seats] != [(s.id, s.person) for s in restored.seats] \
            or {p.id for p in current.people} != {p.id for p in restored.people}:
        raise Forbidden("that change seated, unseated or moved someone; who is in a space changes by invites "
                        "(revoke one, or invite again) and each person takes a seat themselves, not by undo")


def guest_may(who: Caller, action: str, read_only: bool) -> None:
    if who.role == GUEST and not read_only and not action.startswith(GUEST_ACTIONS):
        raise Forbidden(f"a guest may watch together here (playback and cowatch actions) and take a free "
                        f"seat, not {action}; ask the host")
